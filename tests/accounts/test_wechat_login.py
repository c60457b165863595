"""Mini-program log-in: the sandbox, and the real code2session client against a local stub."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from fenxiao.accounts.models import User

pytestmark = pytest.mark.django_db


class FakeWechat(BaseHTTPRequestHandler):
    """Answers /sns/jscode2session like api.weixin.qq.com does."""

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path != "/sns/jscode2session" or query.get("appid") != "wxapp":
            reply = {"errcode": 40013, "errmsg": "invalid appid"}
        elif query.get("js_code") == "good-code" and query.get("secret") == "s3cret":
            reply = {"openid": "o-real-1", "unionid": "u-1", "session_key": "k"}
        else:
            reply = {"errcode": 40029, "errmsg": "invalid code"}
        body = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def wechat_stub(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeWechat)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.WECHAT_LOGIN = "wechat"
    settings.WECHAT_APPID, settings.WECHAT_SECRET = "wxapp", "s3cret"
    settings.WECHAT_API_BASE = f"http://127.0.0.1:{server.server_port}"
    yield
    server.shutdown()


def test_sandbox_login_creates_one_user_per_code(anon):
    first = anon.post("/auth/wechat", {"code": "abc"})
    again = anon.post("/auth/wechat", {"code": "abc"})
    other = anon.post("/auth/wechat", {"code": "xyz"})
    assert first.status_code == again.status_code == other.status_code == 200
    assert first.json()["user"]["id"] == again.json()["user"]["id"]
    assert other.json()["user"]["id"] != first.json()["user"]["id"]
    assert User.objects.filter(openid__startswith="sandbox-").count() == 2


def test_real_code2session_over_http(anon, wechat_stub):
    r = anon.post("/auth/wechat", {"code": "good-code"})
    assert r.status_code == 200, r.content
    user = User.objects.get(pk=r.json()["user"]["id"])
    assert (user.openid, user.unionid) == ("o-real-1", "u-1")
    me = anon.get("/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.json()["id"] == user.pk


def test_bad_code_is_refused_and_creates_nobody(anon, wechat_stub):
    before = User.objects.count()
    r = anon.post("/auth/wechat", {"code": "expired"})
    assert r.status_code == 401
    assert r.json()["code"] == "wechat_login_failed"
    assert "invalid code" in r.json()["message"]
    assert User.objects.count() == before


def test_empty_code_is_bad_input(anon):
    r = anon.post("/auth/wechat", {"code": ""})
    assert r.status_code == 400 and r.json()["code"] == "invalid_input"
