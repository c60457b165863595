"""A local stand-in for api.weixin.qq.com over real HTTP: /cgi-bin/token, /wxa/getwxacodeunlimit
and /wxa/business/getuserphonenumber. Its "mini-program code" is a QR code of
`wxacode:{page}?{scene}`, so a test can read back from a poster which code was drawn; its phone
numbers are those a test puts in `phones` (code → number), each code good once, as WeChat's."""

import io
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import qrcode


def code_text(*, page: str, scene: str) -> str:
    return f"wxacode:{page}?{scene}"


class WechatApiStub:
    def __init__(self, *, appid: str, secret: str):
        self.appid, self.secret = appid, secret
        self.tokens: list[str] = []  # issued, newest last; only the newest is valid
        self.token_requests: list[dict] = []
        self.code_requests: list[dict] = []
        self.refuse_code: dict | None = None  # an {errcode, errmsg} to answer code requests
        self.phones: dict[str, str] = {}  # getPhoneNumber code → the number behind it
        self.phone_requests: list[dict] = []
        # what a superseded token is answered with: 40001 as WeChat does; 40014, 42001 also seen
        self.stale_token_errcode = 40001
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path != "/cgi-bin/token":
                    return self.answer({"errcode": 404, "errmsg": "no such API"})
                stub.token_requests.append(query)
                if (
                    query.get("grant_type") != "client_credential"
                    or query.get("appid") != stub.appid
                    or query.get("secret") != stub.secret
                ):
                    return self.answer({"errcode": 40013, "errmsg": "invalid appid"})
                stub.tokens.append("token-" + secrets.token_hex(8))
                return self.answer({"access_token": stub.tokens[-1], "expires_in": 7200})

            def do_POST(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                token = query.get("access_token")
                if url.path == "/wxa/business/getuserphonenumber":
                    stub.phone_requests.append({"access_token": token, **body})
                    return self.answer(stub.token_error(token) or stub.phone_answer(body))
                if url.path != "/wxa/getwxacodeunlimit":
                    return self.answer({"errcode": 404, "errmsg": "no such API"})
                stub.code_requests.append({"access_token": token, **body})
                if stub.token_error(token):
                    return self.answer(stub.token_error(token))
                if stub.refuse_code:
                    return self.answer(stub.refuse_code)
                if len(body.get("scene", "")) > 32:
                    return self.answer({"errcode": 40169, "errmsg": "invalid length for scene"})
                image = qrcode.make(code_text(page=body["page"], scene=body["scene"]))
                png = io.BytesIO()
                image.save(png)
                self.send(png.getvalue(), "image/jpeg")  # WeChat labels its PNG so

            def answer(self, data: dict):
                self.send(json.dumps(data).encode(), "application/json")

            def send(self, data: bytes, content_type: str):
                self.send_response(200)  # WeChat answers errors with 200 too
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token_error(self, token: str | None) -> dict | None:
        if self.tokens and token == self.tokens[-1]:
            return None
        if token in self.tokens:
            return {"errcode": self.stale_token_errcode, "errmsg": "access_token is not latest"}
        return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}

    def phone_answer(self, body: dict) -> dict:
        number = self.phones.pop(body.get("code"), None)
        if number is None:
            return {"errcode": 40029, "errmsg": "invalid code"}
        return {
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": number,
                "purePhoneNumber": number,
                "countryCode": "86",
                "watermark": {"timestamp": 1700000000, "appid": self.appid},
            },
        }

    def expire_token(self):
        """WeChat renewed the token elsewhere: the one we cached is now refused."""
        self.tokens.append("token-" + secrets.token_hex(8))

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
