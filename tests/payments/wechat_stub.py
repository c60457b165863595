"""A local stand-in for api.mch.weixin.qq.com: checks our request signatures with the
merchant's public key and signs its answers with the platform key, as WeChat Pay v3 does."""

import base64
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from wechatpayv3.utils import rsa_sign

AUTH = re.compile(r'(\w+)="([^"]*)"')


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem_private(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def pem_public(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def verify(public_key, message: str, signature: str) -> bool:
    try:
        public_key.verify(
            base64.b64decode(signature), message.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        return True
    except Exception:  # noqa: BLE001
        return False


class WechatPayStub:
    def __init__(self, *, merchant_public_key, platform_key, public_key_id: str):
        self.merchant_public_key = merchant_public_key
        self.platform_key = platform_key
        self.public_key_id = public_key_id
        self.requests: list[dict] = []
        self.sign_answers = True
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                auth = dict(AUTH.findall(self.headers.get("Authorization", "")))
                signed = (
                    f"POST\n{self.path}\n{auth.get('timestamp')}\n{auth.get('nonce_str')}\n{body}\n"
                )
                ok = verify(stub.merchant_public_key, signed, auth.get("signature", ""))
                stub.requests.append(
                    {"path": self.path, "body": json.loads(body or "{}"), "signature_ok": ok}
                )
                if not ok:
                    return self.answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
                if self.path == "/v3/pay/transactions/jsapi":
                    return self.answer(200, {"prepay_id": "wx" + secrets.token_hex(14)})
                if self.path == "/v3/refund/domestic/refunds":
                    data = json.loads(body)
                    return self.answer(
                        200,
                        {
                            "refund_id": "50" + secrets.token_hex(12),
                            "out_refund_no": data["out_refund_no"],
                            "status": "PROCESSING",
                        },
                    )
                if self.path.endswith("/close"):
                    return self.answer(204, None)
                return self.answer(404, {"code": "NOT_FOUND", "message": "no such API"})

            def answer(self, status: int, data):
                text = "" if data is None else json.dumps(data)
                timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
                signature = rsa_sign(stub.platform_key, f"{timestamp}\n{nonce}\n{text}\n")
                if not stub.sign_answers:
                    signature = base64.b64encode(b"forged" * 40).decode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Wechatpay-Timestamp", timestamp)
                self.send_header("Wechatpay-Nonce", nonce)
                self.send_header("Wechatpay-Signature", signature)
                self.send_header("Wechatpay-Serial", stub.public_key_id)
                self.send_header("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
                self.send_header("Content-Length", str(len(text.encode())))
                self.end_headers()
                self.wfile.write(text.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
