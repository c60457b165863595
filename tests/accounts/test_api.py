"""Registration, log-in, tokens, the user's own data, log-in limits and staff roles."""

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import override_settings

from fenxiao.accounts.models import Address, Token, User
from fenxiao.accounts.services import STAFF_ROLES, staff_create
from fenxiao.api import api
from fenxiao.errors import DomainError
from tests.accounts.factories import PASSWORD, UserFactory
from tests.asserts import assert_error
from tests.conftest import ADDRESS

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def login(api_client, phone, password, ip="10.0.0.1"):
    return api_client.post("/auth/login", {"phone": phone, "password": password}, REMOTE_ADDR=ip)


# --- registration -------------------------------------------------------------------------


def test_register_returns_a_working_token_and_the_user(anon):
    r = anon.post(
        "/auth/register", {"phone": PHONE, "password": "secret-pass-1", "nickname": "小王"}
    )

    assert r.status_code == 201, r.content
    body = r.json()
    assert body["user"]["phone"] == PHONE
    assert body["user"]["nickname"] == "小王"
    assert body["user"]["is_staff"] is False
    user = User.objects.get(phone=PHONE)
    assert user.check_password("secret-pass-1")
    assert user.password != "secret-pass-1"  # hashed by Django
    me = anon.__class__(body["token"]).get("/me")
    assert me.status_code == 200
    assert me.json()["id"] == user.pk


def test_register_stores_only_a_hash_of_the_token(anon):
    token = anon.post("/auth/register", {"phone": PHONE, "password": "secret-pass-1"}).json()[
        "token"
    ]

    assert not Token.objects.filter(key_hash=token).exists()
    assert Token.objects.filter(user__phone=PHONE).count() == 1


def test_register_with_a_taken_phone_is_a_conflict_and_keeps_the_first_account(anon):
    anon.post("/auth/register", {"phone": PHONE, "password": "secret-pass-1"})

    r = anon.post("/auth/register", {"phone": PHONE, "password": "other-pass-2"})

    assert_error(r, 409, "phone_taken")
    assert User.objects.filter(phone=PHONE).count() == 1
    assert User.objects.get(phone=PHONE).check_password("secret-pass-1")


@pytest.mark.parametrize("password", ["12345", "123456789", "abc"])
def test_register_refuses_a_weak_password(anon, password):
    r = anon.post("/auth/register", {"phone": PHONE, "password": password})

    body = assert_error(r, 400, "weak_password")
    assert "密码" in body["message"]
    assert not User.objects.filter(phone=PHONE).exists()


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"phone": PHONE},
        {"password": "secret-pass-1"},
        {"phone": 13912345678, "password": "secret-pass-1"},
        {"phone": "not-a-phone", "password": "secret-pass-1"},
        {"phone": "", "password": "secret-pass-1"},
        {"phone": PHONE, "password": ""},
        {"phone": PHONE, "password": ["secret-pass-1"]},
        {"phone": PHONE, "password": None},
        {"phone": PHONE, "password": "x" * 129},
        {"phone": PHONE, "password": "secret-pass-1", "nickname": "名" * 65},
        {"phone": PHONE, "password": "secret-pass-1", "nickname": 42},
        {"phone": PHONE, "password": "secret-pass-1", "nickname": "小\x00王"},
        {"phone": PHONE, "password": "secret\x00pass"},
        ["13912345678", "secret-pass-1"],
        "13912345678",
    ],
)
def test_register_with_bad_input_is_a_json_400_and_creates_nothing(anon, payload):
    r = anon.post("/auth/register", payload)

    assert_error(r, 400, "invalid_input")
    assert User.objects.count() == 0


def test_register_with_a_body_that_is_not_json_is_a_json_400(anon):
    r = anon.client.post("/api/v1/auth/register", "{phone: 1", content_type="application/json")

    assert_error(r, 400)
    assert User.objects.count() == 0


# --- log-in -------------------------------------------------------------------------------


def test_login_returns_a_new_token(anon, buyer):
    r = login(anon, buyer.phone, PASSWORD)

    assert r.status_code == 200, r.content
    assert r.json()["user"]["id"] == buyer.pk
    assert anon.__class__(r.json()["token"]).get("/me").json()["phone"] == buyer.phone


def test_staff_log_in_the_same_way(anon, staff):
    r = login(anon, staff.phone, "staff-pass-123")

    assert r.status_code == 200, r.content
    assert r.json()["user"]["is_staff"] is True


@pytest.mark.parametrize("password", ["wrong-pass-1", PASSWORD.upper()])
def test_login_with_a_wrong_password_is_401(anon, buyer, password):
    r = login(anon, buyer.phone, password)

    assert_error(r, 401, "invalid_credentials")
    assert not Token.objects.filter(user=buyer).exists()


def test_login_of_an_unknown_phone_says_the_same_as_a_wrong_password(anon, buyer):
    unknown = login(anon, "13700000000", PASSWORD).json()
    wrong = login(anon, buyer.phone, "wrong-pass-1").json()

    assert unknown == wrong


def test_login_of_a_disabled_user_is_refused(anon, buyer):
    User.objects.filter(pk=buyer.pk).update(is_active=False)

    assert_error(login(anon, buyer.phone, PASSWORD), 401, "invalid_credentials")


@pytest.mark.parametrize(
    "payload", [{}, {"phone": "13900000000"}, {"phone": 1, "password": 2}, {"password": "x"}]
)
def test_login_with_bad_input_is_a_json_400(anon, payload):
    assert_error(anon.post("/auth/login", payload), 400, "invalid_input")


# --- log-in limits ------------------------------------------------------------------------


def test_failed_logins_lock_that_phone_from_that_address_even_with_the_right_password(anon, buyer):
    limit = settings.LOGIN_MAX_FAILURES_PER_PHONE
    assert limit == 5
    # given: the limit of failures from one address
    for _ in range(limit):
        assert_error(login(anon, buyer.phone, "wrong-pass-1", ip="10.0.1.1"), 401)

    # when: the right password comes from that address
    r = login(anon, buyer.phone, PASSWORD, ip="10.0.1.1")

    # then
    body = assert_error(r, 429, "too_many_attempts")
    assert "稍后" in body["message"]
    assert not Token.objects.filter(user=buyer).exists()


def test_a_stranger_cannot_lock_a_buyer_out_from_elsewhere(anon, buyer):
    # given: a stranger fails many times on the buyer's phone, from several addresses
    for i in range(settings.LOGIN_MAX_FAILURES_PER_PHONE + 3):
        login(anon, buyer.phone, "wrong-pass-1", ip=f"10.0.1.{i % 2}")

    # when: the buyer logs in from their own address
    r = login(anon, buyer.phone, PASSWORD, ip="10.0.9.9")

    # then
    assert r.status_code == 200, r.json()


def test_failures_below_the_phone_limit_do_not_lock(anon, buyer):
    for _ in range(settings.LOGIN_MAX_FAILURES_PER_PHONE - 1):
        login(anon, buyer.phone, "wrong-pass-1")

    assert login(anon, buyer.phone, PASSWORD).status_code == 200


def test_a_locked_phone_does_not_lock_another_phone_from_another_address(anon, buyer):
    other = UserFactory()
    for _ in range(settings.LOGIN_MAX_FAILURES_PER_PHONE + 2):
        login(anon, buyer.phone, "wrong-pass-1", ip="10.0.0.1")
    assert_error(login(anon, buyer.phone, PASSWORD, ip="10.0.0.1"), 429)

    # a failure on another phone from another address is an ordinary failure
    assert_error(
        login(anon, other.phone, "wrong-pass-1", ip="10.9.9.9"), 401, "invalid_credentials"
    )
    assert login(anon, other.phone, PASSWORD, ip="10.9.9.9").status_code == 200


def test_failed_logins_from_one_address_lock_that_address(anon):
    users = UserFactory.create_batch(2)
    limit = settings.LOGIN_MAX_FAILURES_PER_IP
    assert limit == 30
    # given: an address that guessed at many phones, never more than 4 times each
    for i in range(limit):
        assert_error(login(anon, f"1370000{i:04d}", "wrong-pass-1", ip="10.6.6.6"), 401)

    # then: even a right password is refused from that address ...
    assert_error(login(anon, users[0].phone, PASSWORD, ip="10.6.6.6"), 429, "too_many_attempts")
    # ... and accepted from any other
    assert login(anon, users[1].phone, PASSWORD, ip="10.7.7.7").status_code == 200


def test_many_successful_logins_are_never_limited(anon, buyer):
    limit = max(settings.LOGIN_MAX_FAILURES_PER_PHONE, settings.LOGIN_MAX_FAILURES_PER_IP)

    codes = {
        login(anon, buyer.phone, PASSWORD, ip="10.0.0.1").status_code for _ in range(limit + 5)
    }

    assert codes == {200}
    assert Token.objects.filter(user=buyer).count() == limit + 5


def test_the_forwarded_for_header_does_not_escape_the_address_limit(anon, buyer):
    for i in range(settings.LOGIN_MAX_FAILURES_PER_IP):
        anon.post(
            "/auth/login",
            {"phone": f"1370000{i:04d}", "password": "wrong-pass-1"},
            REMOTE_ADDR="10.6.6.6",
            headers={"X-Forwarded-For": f"172.16.0.{i}"},
        )

    r = anon.post(
        "/auth/login",
        {"phone": buyer.phone, "password": PASSWORD},
        REMOTE_ADDR="10.6.6.6",
        headers={"X-Forwarded-For": "172.16.1.1"},
    )

    assert_error(r, 429, "too_many_attempts")


@override_settings(LOGIN_FAILURE_WINDOW=timedelta(seconds=1))
def test_a_lock_ends_when_the_window_passes(anon, buyer):
    for _ in range(settings.LOGIN_MAX_FAILURES_PER_PHONE):
        login(anon, buyer.phone, "wrong-pass-1")
    assert_error(login(anon, buyer.phone, PASSWORD), 429)

    time.sleep(1.2)

    assert login(anon, buyer.phone, PASSWORD).status_code == 200


# --- token authentication -----------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Bearer not-a-token", "Token abc", "Basic dXNlcjpwYXNz"],
)
def test_me_without_a_valid_token_is_401(anon, buyer, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}

    r = anon.get("/me", headers=headers)

    assert_error(r, 401, "unauthorized")


def test_a_token_of_a_disabled_user_stops_working(buyer_api, buyer):
    assert buyer_api.get("/me").status_code == 200

    User.objects.filter(pk=buyer.pk).update(is_active=False)

    assert_error(buyer_api.get("/me"), 401, "unauthorized")


def test_me_shows_the_token_owner(buyer_api, buyer):
    UserFactory()

    body = buyer_api.get("/me").json()

    assert body == {
        "id": buyer.pk,
        "phone": buyer.phone,
        "nickname": buyer.nickname,
        "avatar": "",
        "is_staff": False,
    }


# --- addresses ----------------------------------------------------------------------------


def test_addresses_are_created_and_listed_for_their_owner_only(buyer_api, buyer, make_api):
    other = UserFactory()
    other_api = make_api(other)
    other_api.post("/addresses", {**ADDRESS, "name": "李四"})

    r = buyer_api.post("/addresses", ADDRESS)

    assert r.status_code == 201, r.content
    created = r.json()
    assert {k: created[k] for k in ADDRESS} == ADDRESS
    assert created["is_default"] is True  # the first address is the default
    listed = buyer_api.get("/addresses").json()
    assert [a["id"] for a in listed] == [created["id"]]
    assert [a["name"] for a in other_api.get("/addresses").json()] == ["李四"]


def test_a_new_default_address_replaces_the_old_default(buyer_api, buyer):
    first = buyer_api.post("/addresses", ADDRESS).json()
    second = buyer_api.post("/addresses", {**ADDRESS, "detail": "二号楼"}).json()
    assert second["is_default"] is False

    third = buyer_api.post("/addresses", {**ADDRESS, "detail": "三号楼", "is_default": True})

    assert third.json()["is_default"] is True
    defaults = list(
        Address.objects.filter(user=buyer, is_default=True).values_list("pk", flat=True)
    )
    assert defaults == [third.json()["id"]]
    assert first["id"] in [a["id"] for a in buyer_api.get("/addresses").json()]


@pytest.mark.parametrize(
    "change",
    [
        {"name": ""},
        {"name": "   "},
        {"phone": "电话"},
        {"province": None},
        {"detail": "x" * 201},
        {"is_default": "maybe"},
        {"detail": "科技园\x00一号"},
    ],
)
def test_a_bad_address_is_a_json_400_and_nothing_is_stored(buyer_api, buyer, change):
    r = buyer_api.post("/addresses", {**ADDRESS, **change})

    assert_error(r, 400, "invalid_input")
    assert not Address.objects.filter(user=buyer).exists()


def test_addresses_need_a_token(anon):
    assert_error(anon.get("/addresses"), 401)
    assert_error(anon.post("/addresses", ADDRESS), 401)
    assert Address.objects.count() == 0


# --- staff roles --------------------------------------------------------------------------


def test_staff_roles_exist_after_migrate_with_sensible_permissions():
    groups = {g.name: g for g in Group.objects.prefetch_related("permissions__content_type")}
    assert set(groups) >= {"owner", "operator", "finance", "service"}

    def perms(role):
        return {f"{p.content_type.app_label}.{p.codename}" for p in groups[role].permissions.all()}

    owner, operator, finance, service = (
        perms(r) for r in ("owner", "operator", "finance", "service")
    )
    assert {"catalog.add_product", "orders.change_order", "payments.view_payment"} <= owner
    assert {"catalog.add_product", "catalog.change_product", "catalog.delete_product"} <= operator
    assert {"orders.view_order", "orders.change_order"} <= operator
    assert "payments.view_payment" in finance
    assert not {p for p in finance if p.startswith("catalog.") and not p.startswith("catalog.view")}
    assert {"orders.view_order", "orders.view_refund", "catalog.view_product"} <= service
    assert not {"catalog.add_product", "catalog.change_product", "catalog.delete_product"} & service
    for role in (operator, finance, service):
        assert not {p for p in role if p.startswith(("auth.", "accounts.add_", "accounts.change_"))}


def test_every_permission_a_role_names_exists_and_is_granted():
    """A misspelt codename in STAFF_ROLES would otherwise be dropped without a word."""
    for role, grants in STAFF_ROLES.items():
        granted = {
            (p.content_type.app_label, p.codename)
            for p in Group.objects.get(name=role).permissions.select_related("content_type")
        }
        for app_label, codenames in grants.items():
            if codenames == ["*"]:
                in_app = {a for a, _ in granted if a == app_label or app_label == "__all__"}
                assert in_app, (role, app_label)
                continue
            missing = {c for c in codenames if (app_label, c) not in granted}
            assert not missing, (role, app_label, missing)


@pytest.mark.parametrize(
    ("role", "status"), [("owner", 201), ("operator", 201), ("finance", 403), ("service", 403)]
)
def test_creating_a_product_depends_on_the_staff_role(make_api, role, status):
    member = staff_create(phone="13800000100", password="staff-pass-123", role=role)
    body = {"name": "保温杯", "skus": [{"price": "59.00", "stock": 3}]}

    r = make_api(member).post("/admin/products", body)

    assert r.status_code == status, r.content
    if status == 403:
        assert_error(r, 403, "forbidden")
    assert member.groups.get().name == role
    assert member.is_superuser is (role == "owner")


def test_createstaff_with_an_unknown_role_is_refused():
    with pytest.raises(DomainError) as caught:
        staff_create(phone="13800000100", password="staff-pass-123", role="boss")

    assert caught.value.code == "unknown_role"
    assert not User.objects.filter(phone="13800000100").exists()


def admin_operations() -> list[tuple[str, str]]:
    """Every /admin/* operation of the API, its path ids filled with 1."""
    found = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            full = prefix.rstrip("/") + path
            if full.startswith("/admin/"):
                for operation in path_view.operations:
                    for method in operation.methods:
                        found.add((method.lower(), re.sub(r"\{[^}]+\}", "1", full)))
    return sorted(found)


ADMIN_OPERATIONS = admin_operations()


def test_the_admin_operations_are_found():
    assert ("post", "/admin/products") in ADMIN_OPERATIONS
    assert ("post", "/admin/orders/1/ship") in ADMIN_OPERATIONS
    assert len(ADMIN_OPERATIONS) >= 8


@pytest.mark.parametrize(("method", "path"), ADMIN_OPERATIONS)
def test_a_buyer_gets_403_on_every_admin_endpoint(buyer_api, method, path):
    r = buyer_api.request(method, path, {})

    assert_error(r, 403, "forbidden")


@pytest.mark.parametrize(("method", "path"), ADMIN_OPERATIONS)
def test_an_anonymous_caller_gets_401_on_every_admin_endpoint(anon, method, path):
    r = anon.request(method, path, {})

    assert_error(r, 401, "unauthorized")
