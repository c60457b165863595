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
