"""Shared fixtures: an API client with tokens, users, staff, products, and a clean cache."""

import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_configure(config):
    data = Path(tempfile.mkdtemp(prefix="fenxiao-test-"))
    settings.MEDIA_ROOT = data / "media"
    # one sandbox platform key per run, shared by every xdist worker of the run
    settings.SANDBOX_KEY_DIR = Path(
        os.environ.setdefault("FENXIAO_TEST_SANDBOX_DIR", str(data / "sandbox"))
    )
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set FENXIAO_DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)


@pytest.fixture(autouse=True)
def _clean_cache():
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()
    yield


class Api:
    """A JSON client for /api/v1 that remembers a bearer token."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.token = token

    def _headers(self, headers):
        out = dict(headers or {})
        if self.token:
            out.setdefault("Authorization", f"Bearer {self.token}")
        return out

    def request(self, method: str, path: str, data=None, headers=None, **kw):
        url = "/api/v1" + path
        call = getattr(self.client, method)
        if method in ("get", "delete"):
            return call(url, data or {}, headers=self._headers(headers), **kw)
        return call(
            url,
            data if data is not None else {},
            content_type="application/json",
            headers=self._headers(headers),
            **kw,
        )

    def get(self, path, data=None, **kw):
        return self.request("get", path, data, **kw)

    def post(self, path, data=None, **kw):
        return self.request("post", path, data, **kw)

    def patch(self, path, data=None, **kw):
        return self.request("patch", path, data, **kw)

    def put(self, path, data=None, **kw):
        return self.request("put", path, data, **kw)

    def delete(self, path, **kw):
        return self.request("delete", path, **kw)


@pytest.fixture
def anon():
    return Api()


@pytest.fixture
def make_api():
    from fenxiao.accounts.services import token_issue

    def make(user):
        return Api(token_issue(user=user))

    return make


ADDRESS = {
    "name": "张三",
    "phone": "13900000000",
    "province": "广东省",
    "city": "深圳市",
    "district": "南山区",
    "detail": "科技园 1 号",
}


@pytest.fixture
def buyer(db):
    from tests.accounts.factories import UserFactory

    return UserFactory()


@pytest.fixture
def buyer_api(buyer, make_api):
    return make_api(buyer)


@pytest.fixture
def staff(db):
    from fenxiao.accounts.services import staff_create

    return staff_create(phone="13800000001", password="staff-pass-123", role="owner")


@pytest.fixture
def staff_api(staff, make_api):
    return make_api(staff)


@pytest.fixture
def sku(db):
    """One on-shelf product with one SKU: ¥299.90, 10 in stock."""
    from tests.catalog.factories import SkuFactory

    return SkuFactory()


@pytest.fixture
def paid_order(buyer_api, sku):
    """An order of 2 × sku, paid through the sandbox; returns its JSON."""
    r = buyer_api.post(
        "/orders", {"lines": [{"sku_id": sku.pk, "quantity": 2}], "address": ADDRESS}
    )
    assert r.status_code == 201, r.content
    order = r.json()
    payment = buyer_api.post(f"/orders/{order['id']}/pay", {}).json()
    r = buyer_api.post(f"/payments/sandbox/{payment['payment_id']}/complete")
    assert r.status_code == 200, r.content
    return buyer_api.get(f"/orders/{order['id']}").json()
