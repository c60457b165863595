"""Errors every client sees: {code, message}, worded for people."""

import pytest

pytestmark = pytest.mark.django_db


def test_validation_errors_are_explained_in_chinese(anon):
    r = anon.post("/auth/register", {"phone": "13600000050", "password": 123})
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid_input"
    assert "password" in body["message"] and "须为字符串" in body["message"]
    assert body["errors"][0]["type"] == "string_type"


def test_a_body_over_the_limit_is_413_json(anon, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = anon.post("/auth/login", {"phone": "13600000060", "password": "x" * 5000})
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"


def test_a_phone_longer_than_storage_is_refused_not_a_500(anon):
    r = anon.post("/auth/register", {"phone": "+" + "1" * 20, "password": "secret-pass-1"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_input"
