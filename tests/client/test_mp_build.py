"""The WeChat mini-program build (`make client-mp`) is complete and calls only the published API."""

import json
import os
import re
from pathlib import Path

import pytest
from django.test import Client

CLIENT = Path(__file__).resolve().parents[2] / "client"
BUILD = CLIENT / "dist" / "build" / "mp-weixin"
# api.get('/orders'), api.post(`/orders/${id}/pay`, ...), post('/referrals/visit', ...)
CALL = re.compile(r"\b(get|post|put|patch|del)\(\s*(['\"`])(/[^'\"`?]*)\2?")
METHODS = {"get": "get", "post": "post", "put": "put", "patch": "patch", "del": "delete"}


@pytest.fixture(scope="module")
def build():
    if not (BUILD / "app.json").is_file():
        if os.environ.get("CI"):
            pytest.fail("the mini-program build is missing: `make test` runs `make client-mp`")
        pytest.skip("no mini-program build: run `make client-mp`")
    return BUILD


def pages_of_pages_json() -> list[str]:
    config = json.loads((CLIENT / "src" / "pages.json").read_text(encoding="utf-8"))
    pages = [p["path"] for p in config["pages"]]
    for package in config.get("subPackages", []):
        pages += [f"{package['root']}/{p['path']}" for p in package["pages"]]
    return pages


def api_calls() -> set[tuple[str, str]]:
    calls = set()
    for source in (CLIENT / "src").rglob("*"):
        if source.suffix not in {".js", ".vue"}:
            continue
        for method, _, path in CALL.findall(source.read_text(encoding="utf-8")):
            calls.add((METHODS[method], re.sub(r"\$\{[^}]*\}", "{}", path)))
    return calls


def published_operations() -> list[tuple[str, re.Pattern]]:
    response = Client(HTTP_HOST="127.0.0.1").get("/api/v1/openapi.json")
    assert response.status_code == 200
    operations = []
    for path, item in response.json()["paths"].items():
        assert path.startswith("/api/v1/")
        pattern = re.escape(path.removeprefix("/api/v1")).replace(r"\{", "{").replace(r"\}", "}")
        pattern = re.compile("^" + re.sub(r"\{[^}]*\}", "[^/]+", pattern) + "$")
        operations += [(method, pattern) for method in item]
    return operations


def test_app_json_lists_every_page_of_pages_json(build):
    app = json.loads((build / "app.json").read_text(encoding="utf-8"))
    listed = set(app["pages"])
    for package in app.get("subPackages", []):
        listed |= {f"{package['root']}/{p}" for p in package["pages"]}
    pages = pages_of_pages_json()
    assert "pages/distributor/index" in pages
    assert set(pages) <= listed
    assert app["pages"][0] == pages[0]  # the home page opens first


def test_every_page_has_its_four_files(build):
    for page in pages_of_pages_json():
        for ext in ("wxml", "js", "json", "wxss"):
            assert (build / f"{page}.{ext}").is_file(), f"{page}.{ext} missing from the build"


def test_the_build_names_an_app_and_calls_an_absolute_api_origin(build):
    project = json.loads((build / "project.config.json").read_text(encoding="utf-8"))
    assert project["appid"]
    assert project["compileType"] == "miniprogram"
    bundle = "\n".join(p.read_text(encoding="utf-8") for p in build.rglob("*.js"))
    assert re.search(r"https?://[^\"']+/api/v1", bundle), "the API base is not absolute"


def test_every_api_call_of_the_client_is_in_the_openapi_schema(db):
    calls = api_calls()
    # the scan sees the calls at all (a regex that matched nothing would pass vacuously)
    assert ("post", "/referrals/visit") in calls
    assert ("post", "/orders/{}/pay") in calls
    assert ("delete", "/cart/items/{}") in calls
    operations = published_operations()
    missing = sorted(
        f"{method.upper()} {path}"
        for method, path in calls
        if not any(m == method and p.match(path.replace("{}", "1")) for m, p in operations)
    )
    assert not missing, f"the client calls endpoints missing from /api/v1/openapi.json: {missing}"
