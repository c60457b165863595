"""POST /auth/wechat/phone: the number behind the mini-program's getPhoneNumber code, attached
to the signed-in user. The sandbox offline; the real client over HTTP against a local stub of
api.weixin.qq.com, with the app's access token shared with the poster's mini-program codes."""

import secrets
import socket

import pytest

from fenxiao.accounts.models import User
from fenxiao.distribution import wxacode
from tests.accounts.factories import PASSWORD, UserFactory
from tests.concurrency import race
from tests.wechat_api_stub import WechatApiStub

pytestmark = pytest.mark.django_db


def attach(api, code):
    return api.post("/auth/wechat/phone", {"code": code})


def assert_error(r, status, code):
    assert r.status_code == status, r.content
    body = r.json()
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body  # Chinese
    return body


# the sandbox (WECHAT_LOGIN=sandbox, the default without credentials)


def test_sandbox_code_carries_the_number(buyer, buyer_api):
    r = attach(buyer_api, "phone:13700000123")
    assert r.status_code == 200, r.content
    assert r.json()["id"] == buyer.pk and r.json()["phone"] == "13700000123"
    buyer.refresh_from_db()
    assert buyer.phone == "13700000123"
    assert buyer_api.get("/me").json()["phone"] == "13700000123"


def test_sandbox_other_codes_give_a_stable_made_up_number(make_api):
    first = attach(make_api(UserFactory(phone=None)), "any-code").json()["phone"]
    assert len(first) == 11 and first.isascii() and first.isdigit()
    # the same code is the same number: a second account cannot take it
    assert_error(attach(make_api(UserFactory(phone=None)), "any-code"), 409, "phone_taken")
    other = attach(make_api(UserFactory(phone=None)), "another-code").json()["phone"]
    assert other != first


def test_the_number_is_normalised_like_every_phone(buyer, buyer_api):
    r = attach(buyer_api, "phone:１３７００００００４５")  # full-width digits
    assert r.status_code == 200, r.content
    buyer.refresh_from_db()
    assert buyer.phone == "13700000045"


def test_a_number_that_is_no_phone_is_refused(buyer, buyer_api):
    before = buyer.phone
    assert_error(attach(buyer_api, "phone:not-a-number"), 400, "invalid_phone")
    buyer.refresh_from_db()
    assert buyer.phone == before


def test_a_new_number_replaces_the_old_one_and_the_same_is_a_no_op(buyer, buyer_api):
    assert attach(buyer_api, "phone:13700000001").status_code == 200
    assert attach(buyer_api, "phone:13700000001").json()["phone"] == "13700000001"
    assert attach(buyer_api, "phone:13700000002").json()["phone"] == "13700000002"
    buyer.refresh_from_db()
    assert buyer.phone == "13700000002"
    # the number now logs in with the buyer's password
    r = buyer_api.post("/auth/login", {"phone": "13700000002", "password": PASSWORD})
    assert r.status_code == 200 and r.json()["user"]["id"] == buyer.pk


def test_a_number_of_another_account_is_409_and_nothing_merges(make_api):
    # given: a buyer registered with this phone in H5, and a WeChat-only account
    owner = UserFactory(phone="13700000777")
    wechat_user = User.objects.create_user(openid="o-wechat-only")

    # when
    body = assert_error(attach(make_api(wechat_user), "phone:13700000777"), 409, "phone_taken")

    # then: both accounts as they were
    assert "手机号" in body["message"]
    wechat_user.refresh_from_db()
    owner.refresh_from_db()
    assert wechat_user.phone is None and owner.phone == "13700000777"
    assert User.objects.filter(phone="13700000777").get() == owner


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_accounts_racing_for_one_number_one_wins_and_the_rest_are_409(make_api):
    # given six WeChat-only accounts
    apis = [make_api(User.objects.create_user(openid=f"o-race-{i}")) for i in range(6)]

    # when all claim one number at once
    results = race(6, lambda i: attach(apis[i], "phone:13700000999"))

    # then one has it; the others are told so, never a 500
    outcome = sorted((r.status_code, r.json().get("code")) for r in results)
    assert outcome == [(200, None)] + [(409, "phone_taken")] * 5
    assert User.objects.filter(phone="13700000999").count() == 1


def test_signed_out_is_401(anon):
    assert_error(attach(anon, "phone:13700000000"), 401, "unauthorized")
    assert not User.objects.filter(phone="13700000000").exists()


@pytest.mark.parametrize("code", ["", "   ", "x" * 129])
def test_a_missing_or_oversized_code_is_bad_input(buyer_api, code):
    assert_error(attach(buyer_api, code), 400, "invalid_input")


# the real client, over HTTP against the stub


@pytest.fixture
def wechat(settings):
    appid, secret = "wx" + secrets.token_hex(8), "s3cret"
    stub = WechatApiStub(appid=appid, secret=secret)
    settings.WECHAT_LOGIN = "wechat"
    settings.WECHAT_APPID, settings.WECHAT_SECRET = appid, secret
    settings.WECHAT_API_BASE = stub.url
    yield stub
    stub.stop()


def test_real_client_fetches_a_token_and_asks_for_the_number(buyer, buyer_api, wechat):
    wechat.phones["btn-code-1"] = "13800138000"

    r = attach(buyer_api, "btn-code-1")

    assert r.status_code == 200, r.content
    assert r.json()["phone"] == "13800138000"
    buyer.refresh_from_db()
    assert buyer.phone == "13800138000"
    [asked_token] = wechat.token_requests
    assert (asked_token["appid"], asked_token["secret"]) == (wechat.appid, "s3cret")
    assert asked_token["grant_type"] == "client_credential"
    assert wechat.phone_requests == [{"access_token": wechat.tokens[-1], "code": "btn-code-1"}]


def test_the_token_is_cached_and_shared_with_mini_program_codes(make_api, wechat):
    wechat.phones.update({"a": "13800000001", "b": "13800000002"})
    assert attach(make_api(UserFactory(phone=None)), "a").status_code == 200
    assert attach(make_api(UserFactory(phone=None)), "b").status_code == 200
    # the poster's codes use the same token, from the same cache
    assert wxacode.codes_client().unlimited(scene="r=X&p=1", page="pages/product/detail")

    assert len(wechat.token_requests) == 1
    token = wechat.tokens[-1]
    assert [p["access_token"] for p in wechat.phone_requests] == [token, token]
    assert [c["access_token"] for c in wechat.code_requests] == [token]


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
def test_a_refused_token_is_renewed_once(buyer, buyer_api, wechat, errcode):
    wechat.phones.update({"first": "13800000011", "second": "13800000012"})
    assert attach(buyer_api, "first").status_code == 200
    wechat.stale_token_errcode = errcode
    wechat.expire_token()  # renewed elsewhere: the cached one is refused from now on

    r = attach(buyer_api, "second")

    assert r.status_code == 200, r.content
    assert r.json()["phone"] == "13800000012"
    assert len(wechat.token_requests) == 2
    assert [p["access_token"] for p in wechat.phone_requests[1:]] == [
        wechat.tokens[-3],  # the cached one, refused
        wechat.tokens[-1],  # the renewed one
    ]
    # the renewed token is the cached one now
    wechat.phones["third"] = "13800000013"
    assert attach(buyer_api, "third").status_code == 200
    assert len(wechat.token_requests) == 2


def test_a_code_wechat_refuses_is_502_and_changes_nothing(buyer, buyer_api, wechat):
    before = buyer.phone
    body = assert_error(attach(buyer_api, "expired-code"), 502, "wechat_phone_failed")
    assert "手机号" in body["message"]
    buyer.refresh_from_db()
    assert buyer.phone == before
    # a code is good once, as WeChat's
    wechat.phones["once"] = "13800000021"
    assert attach(buyer_api, "once").status_code == 200
    assert_error(attach(buyer_api, "once"), 502, "wechat_phone_failed")


def test_wrong_credentials_are_502_without_asking_for_the_number(buyer_api, wechat, settings):
    settings.WECHAT_SECRET = "wrong"
    wechat.phones["c"] = "13800000031"
    assert_error(attach(buyer_api, "c"), 502, "wechat_phone_failed")
    assert wechat.phone_requests == []


def test_wechat_unreachable_is_502(buyer_api, settings):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.WECHAT_LOGIN = "wechat"
    settings.WECHAT_APPID, settings.WECHAT_SECRET = "wx-unreachable", "s3cret"
    settings.WECHAT_API_BASE = f"http://127.0.0.1:{port}"
    body = assert_error(attach(buyer_api, "c"), 502, "wechat_phone_failed")
    assert "无法连接微信服务器" in body["message"]


def test_real_client_number_of_another_account_is_409(make_api, wechat):
    owner = UserFactory(phone="13800000041")
    wechat.phones["c"] = "13800000041"
    me = UserFactory(phone=None)
    assert_error(attach(make_api(me), "c"), 409, "phone_taken")
    me.refresh_from_db()
    assert me.phone is None
    assert User.objects.get(phone="13800000041") == owner


def test_signed_out_asks_nothing_of_wechat(anon, wechat):
    wechat.phones["c"] = "13800000051"
    assert_error(attach(anon, "c"), 401, "unauthorized")
    assert wechat.phone_requests == [] and wechat.token_requests == []
