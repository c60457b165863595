"""Log-in limits behind a reverse proxy count the real client, not the proxy or a spoof."""

import pytest

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def attempt(anon, phone, forwarded, password="wrong-password"):
    return anon.post(
        "/auth/login",
        {"phone": phone, "password": password},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_one_proxy_each_client_has_its_own_ip_limit(anon, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_MAX_FAILURES_PER_IP = 3
    for n in range(3):
        assert attempt(anon, f"1360000000{n}", "203.0.113.7").status_code == 401
    assert attempt(anon, "13600000009", "203.0.113.7").status_code == 429
    # another client behind the same proxy is not locked out
    assert attempt(anon, "13600000009", "198.51.100.2").status_code == 401


def test_a_client_cannot_escape_by_writing_its_own_forwarded_for(anon, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_MAX_FAILURES_PER_IP = 2
    for n in range(2):
        assert attempt(anon, f"1360000001{n}", f"1.2.3.{n}, 203.0.113.9").status_code == 401
    assert attempt(anon, "13600000019", "9.9.9.9, 203.0.113.9").status_code == 429


def test_without_trusted_proxies_forwarded_for_is_ignored(anon, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.LOGIN_MAX_FAILURES_PER_IP = 2
    for n in range(2):
        assert attempt(anon, f"1360000002{n}", f"203.0.113.{n}").status_code == 401
    assert attempt(anon, "13600000029", "203.0.113.99").status_code == 429


def test_a_successful_log_in_gives_its_ip_slot_back(anon, settings):
    settings.LOGIN_MAX_FAILURES_PER_IP = 3
    user = UserFactory()
    for _ in range(10):
        r = anon.post(
            "/auth/login",
            {"phone": user.phone, "password": "buyer-pass-123"},
            REMOTE_ADDR="10.0.0.1",
        )
        assert r.status_code == 200
    for n in range(3):
        assert attempt(anon, f"1360000003{n}", "").status_code == 401
    assert attempt(anon, "13600000039", "").status_code == 429
