"""A local stand-in for api.mch.weixin.qq.com: checks our request signatures with the
merchant's public key and signs its answers with the platform key, as WeChat Pay v3 does."""

import base64
import gzip
import hashlib
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from wechatpayv3.utils import rsa_sign

from fenxiao.payments.providers.sandbox import notification_body, sign_notification

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


def stub_configured(settings, tmp_path, *, mchid: str, appid: str, apiv3_key: str, key_id: str):
    """A running stub with new merchant and platform keys, and every WECHAT_* setting pointing
    at it (keys written under tmp_path). The caller stops it."""
    merchant, platform = new_key(), new_key()
    (tmp_path / "apiclient_key.pem").write_text(pem_private(merchant))
    (tmp_path / "pub_key.pem").write_text(pem_public(platform))
    stub = WechatPayStub(
        merchant_public_key=merchant.public_key(), platform_key=platform, public_key_id=key_id
    )
    settings.WECHAT_APPID, settings.WECHAT_MCHID = appid, mchid
    settings.WECHAT_CERT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    settings.WECHAT_PRIVATE_KEY_PATH = str(tmp_path / "apiclient_key.pem")
    settings.WECHAT_PUBLIC_KEY_PATH = str(tmp_path / "pub_key.pem")
    settings.WECHAT_PUBLIC_KEY_ID = key_id
    settings.WECHAT_APIV3_KEY = apiv3_key
    settings.WECHAT_PAY_GATEWAY = stub.url
    stub.merchant, stub.platform = merchant, platform
    return stub


class WechatPayStub:
    def __init__(self, *, merchant_public_key, platform_key, public_key_id: str):
        self.merchant_public_key = merchant_public_key
        self.platform_key = platform_key
        self.public_key_id = public_key_id
        self.requests: list[dict] = []
        self.sign_answers = True
        # more APIs, added with route(): (method, path pattern, handler)
        self.routes: list[tuple[str, re.Pattern, object]] = []
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
                if self.dispatch("POST", body):
                    return None
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

            def do_GET(self):
                auth = dict(AUTH.findall(self.headers.get("Authorization", "")))
                signed = f"GET\n{self.path}\n{auth.get('timestamp')}\n{auth.get('nonce_str')}\n\n"
                ok = verify(stub.merchant_public_key, signed, auth.get("signature", ""))
                stub.requests.append({"path": self.path, "body": {}, "signature_ok": ok})
                if not ok:
                    return self.answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
                if self.dispatch("GET", ""):
                    return None
                return self.answer(404, {"code": "NOT_FOUND", "message": "no such API"})

            def dispatch(self, method: str, body: str) -> bool:
                """Answer from the route table; a handler returning None drops the
                connection unanswered (a network failure as the client sees it)."""
                for route_method, pattern, handler in stub.routes:
                    match = pattern.fullmatch(self.path)
                    if route_method == method and match:
                        result = handler(match, json.loads(body or "{}"))
                        if result is None:
                            self.close_connection = True
                        elif isinstance(result[1], bytes):
                            self.answer_file(*result)
                        else:
                            self.answer(*result)
                        return True
                return False

            def answer_file(self, status: int, data: bytes):
                """A file (a bill download): raw bytes, no WeChat signature on them."""
                self.send_response(status)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

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

    def route(self, method: str, pattern: str, handler) -> None:
        """Serve another API: handler(match, body) -> (status, data), or None to drop; data
        in bytes is sent as a file."""
        self.routes.append((method, re.compile(pattern), handler))

    def stop(self):
        self.server.shutdown()


# Merchant transfers (商家转账): transfer bills, their query and cancel, and the signed
# MCHTRANSFER.BILL.FINISHED notification WeChat sends when a bill ends.
BILLS = "/v3/fund-app/mch-transfer/transfer-bills"


class TransferBills:
    """WeChat's side of transfer bills, served by a WechatPayStub."""

    def __init__(self, stub: WechatPayStub, *, mchid: str, apiv3_key: str):
        self.stub, self.mchid, self.apiv3_key = stub, mchid, apiv3_key
        self.bills: dict[str, dict] = {}
        self.lock = threading.Lock()
        # drop the next create's answer: "before" the bill exists, or "after" it was made
        self.drop: str | None = None
        stub.route("POST", BILLS, self.create)
        stub.route("GET", BILLS + r"/out-bill-no/(\w+)", self.query)
        stub.route("POST", BILLS + r"/out-bill-no/(\w+)/cancel", self.cancel)

    def create(self, match, body):
        with self.lock:
            drop, self.drop = self.drop, None
            if drop == "before":
                return None
            bill = self.bills.setdefault(
                body["out_bill_no"],
                {
                    "mch_id": self.mchid,
                    "out_bill_no": body["out_bill_no"],
                    "transfer_bill_no": "1330" + secrets.token_hex(14),
                    "state": "WAIT_USER_CONFIRM",
                    "transfer_amount": body["transfer_amount"],
                    "openid": body["openid"],
                    "package_info": base64.b64encode(secrets.token_bytes(32)).decode(),
                    "create_time": time.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
                },
            )
            if drop == "after":
                return None
            fields = ("out_bill_no", "transfer_bill_no", "create_time", "state", "package_info")
            return 200, {k: bill[k] for k in fields}

    def query(self, match, body):
        bill = self.bills.get(match.group(1))
        if bill is None:
            return 404, {"code": "NOT_FOUND", "message": "记录不存在"}
        return 200, {k: v for k, v in bill.items() if k != "package_info"}

    def cancel(self, match, body):
        with self.lock:
            bill = self.bills.get(match.group(1))
            if bill is None or bill["state"] != "WAIT_USER_CONFIRM":
                return 400, {"code": "INVALID_REQUEST", "message": "单据状态不允许撤销"}
            bill["state"] = "CANCELING"
            fields = ("out_bill_no", "transfer_bill_no", "state")
            return 200, {**{k: bill[k] for k in fields}, "update_time": bill["create_time"]}

    def finish(self, out_bill_no: str, state: str, fail_reason: str = "") -> bool:
        """The user confirmed (SUCCESS), the transfer failed (FAIL), or a cancel completed
        (CANCELLED); False when the bill had already ended."""
        with self.lock:
            bill = self.bills[out_bill_no]
            if bill["state"] in ("SUCCESS", "FAIL", "CANCELLED"):
                return False
            bill["state"] = state
            if fail_reason:
                bill["fail_reason"] = fail_reason
            return True

    def notification(self, number: str, *, key=None, **changes) -> tuple[dict, str]:
        """The signed, encrypted notification of bill `number` as it is (fields may be
        changed)."""
        resource = {k: v for k, v in self.bills[number].items() if k != "package_info"}
        body = notification_body(
            event_type="MCHTRANSFER.BILL.FINISHED",
            original_type="mch_payment",
            summary="商家转账单据终态通知",
            resource={**resource, **changes},
            apiv3_key=self.apiv3_key,
        )
        serial = self.stub.public_key_id
        return sign_notification(
            private_key=key or self.stub.platform_key, serial=serial, body=body
        ), body


# Payments as WeChat records them: the order query by out_trade_no, and the daily trade and
# fund-flow bills with their download (gzip, checked by the SHA1 given with the address).
class PaymentRecords:
    """WeChat's side of payments and bills, served by a WechatPayStub."""

    def __init__(self, stub: WechatPayStub, *, mchid: str):
        self.stub, self.mchid = stub, mchid
        self.transactions: dict[str, dict] = {}  # by out_trade_no; unknown: ORDER_NOT_EXIST
        # by (kind, bill date), kind "trade" or "fundflow"; none: NO_STATEMENT_EXIST
        self.bills: dict[tuple[str, str], bytes] = {}
        self.bill_hash_override: str | None = None  # a wrong hash, to see the bill refused
        self.downloads: dict[str, bytes] = {}
        stub.route("GET", r"/v3/pay/transactions/out-trade-no/([^/?]+)\?mchid=(\w+)", self.query)
        stub.route("POST", r"/v3/pay/transactions/out-trade-no/([^/?]+)/close", self.close)
        stub.route("GET", r"/v3/bill/tradebill\?(.*)", self.apply_for_bill("trade"))
        stub.route("GET", r"/v3/bill/fundflowbill\?(.*)", self.apply_for_bill("fundflow"))
        stub.route("GET", r"/v3/billdownload/file\?token=(.*)", self.download)

    def query(self, match, body):
        found = self.transactions.get(match.group(1))
        if found is None or match.group(2) != self.mchid:
            return 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}
        return 200, found

    def close(self, match, body):
        """WeChat refuses to close a payment the buyer has made."""
        found = self.transactions.get(match.group(1))
        if found is not None and found.get("trade_state") == "SUCCESS":
            return 400, {"code": "ORDERPAID", "message": "该订单已支付"}
        return 204, None

    def apply_for_bill(self, kind: str):
        def route(match, body):
            params = dict(parse_qsl(match.group(1)))
            data = self.bills.get((kind, params.get("bill_date", "")))
            if data is None:
                return 400, {"code": "NO_STATEMENT_EXIST", "message": "账单不存在"}
            token = secrets.token_urlsafe(16)
            self.downloads[token] = gzip.compress(data) if params.get("tar_type") else data
            return 200, {
                "hash_type": "SHA1",
                "hash_value": self.bill_hash_override or hashlib.sha1(data).hexdigest(),
                "download_url": f"{self.stub.url}/v3/billdownload/file?token={token}",
            }

        return route

    def download(self, match, body):
        data = self.downloads.pop(match.group(1), None)
        if data is None:
            return 404, {"code": "RESOURCE_NOT_EXISTS", "message": "账单已过期"}
        return 200, data
