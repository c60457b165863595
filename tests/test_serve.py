"""`fenxiao serve` as a deployment runs it: from another directory, debug off, gunicorn."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {
        **os.environ,
        "FENXIAO_DATA_DIR": str(data),
        "FENXIAO_DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}",
        "FENXIAO_DEBUG": "0",
        "FENXIAO_SECRET_KEY": "test-serve-key",
        "FENXIAO_ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    cli = Path(sys.executable).parent / "fenxiao"
    proc = subprocess.Popen(
        [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        cwd=data,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("serve exited: " + proc.stdout.read().decode(errors="replace")[-2000:])
        try:
            fetch(base + "/api/v1/products")
            break
        except OSError:
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


def test_api_and_console_are_served_with_debug_off(server):
    status, headers, body = fetch(server + "/api/v1/products")
    assert status == 200 and json.loads(body)["count"] == 0
    assert headers.get("Server", "").startswith("gunicorn")
    status, _, body = fetch(server + "/admin/login/")
    assert status == 200 and "商家后台".encode() in body


def test_static_files_are_served_without_debug(server):
    status, headers, body = fetch(server + "/static/admin/css/base.css")
    assert status == 200 and len(body) > 1000
    assert "css" in headers.get("Content-Type", "")


def test_unknown_api_path_is_json_404(server):
    status, headers, body = fetch(server + "/api/v1/no-such-thing")
    assert status == 404 and headers.get("Content-Type", "").startswith("application/json")


def test_api_docs_come_from_our_static_files(server):
    # Swagger UI from the collected static files (WhiteNoise), not a CDN an offline server
    # or one in mainland China cannot reach
    status, _, body = fetch(server + "/api/v1/docs")
    assert status == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', body.decode())
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert [a for a in assets if not a.startswith("/")] == []
    for asset in assets:
        status, _, content = fetch(server + asset)
        assert status == 200 and content, asset
