"""Assertions shared by the API tests."""


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is a JSON error {code, message} with this status (and code, if given)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"code", "message"}, body
    assert body["message"], body
    if code:
        assert body["code"] == code, body
    return body
