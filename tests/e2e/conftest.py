"""The H5 client in Debian's chromium against a real `fenxiao serve`.

One server per xdist worker (session scope: its own data dir and database, seeded by
tests/e2e/seed.py), one browser per module, a fresh browser context per user."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import fenxiao
from tests.conftest import ADDRESS
from tests.console.test_browser import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
VIEWPORT = {"width": 390, "height": 844}
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def unavailable(reason: str):
    """Skip when the browser or the H5 build is missing, except in CI where it must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


def _h5_dir() -> Path:
    from django.conf import settings

    return Path(settings.CLIENT_H5_DIR)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    """A JSON client for the server's /api/v1 over HTTP, with an optional bearer token."""

    def __init__(self, base: str, token: str | None = None):
        self.base = base
        self.token = token

    def call(self, method: str, path: str, body=None, **query):
        url = f"{self.base}/api/v1{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        return status, (json.loads(raw) if raw else None)

    def ok(self, method: str, path: str, body=None, **query):
        status, data = self.call(method, path, body, **query)
        assert 200 <= status < 300, f"{method} {path} → {status} {data}"
        return data

    def get(self, path, **query):
        return self.ok("GET", path, **query)

    def post(self, path, body=None):
        return self.ok("POST", path, body if body is not None else {})

    def login(self, phone: str, password: str) -> "Api":
        session = self.post("/auth/login", {"phone": phone, "password": password})
        return Api(self.base, session["token"])

    def register(self, phone: str, password: str, nickname: str = "") -> "Api":
        session = self.post(
            "/auth/register", {"phone": phone, "password": password, "nickname": nickname}
        )
        return Api(self.base, session["token"])


def paid_order(buyer: Api, sku_id: int, quantity: int = 1) -> dict:
    """An order placed and paid in the sandbox through the API; returns its JSON."""
    order = buyer.post(
        "/orders", {"lines": [{"sku_id": sku_id, "quantity": quantity}], "address": ADDRESS}
    )
    payment = buyer.post(f"/orders/{order['id']}/pay", {"provider": "sandbox"})
    buyer.post(f"/payments/sandbox/{payment['payment_id']}/complete")
    return buyer.get(f"/orders/{order['id']}")


def expect(locator):
    """Playwright's expect, imported late: the module loads without Playwright installed."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def hook(person, name: str):
    """The elements a page marks with data-test=name."""
    return person.page.locator(f"[data-test={name}]")


def screenshot(person, folder: str, name: str) -> None:
    """The whole page under test-artifacts/h5/<folder>/<name>.png."""
    where = ARTIFACTS / "h5" / folder
    where.mkdir(parents=True, exist_ok=True)
    person.page.screenshot(path=str(where / f"{name}.png"), full_page=True)


@dataclass
class Shop:
    base: str
    data: dict
    log: Path

    @property
    def anon(self) -> Api:
        return Api(self.base)

    def staff(self) -> Api:
        return self.anon.login(self.data["staff"]["phone"], self.data["staff"]["password"])

    def distributor(self, key: str) -> dict:
        return self.data["distributors"][key]

    def product(self, key: str) -> dict:
        return self.data["products"][key]

    @property
    def password(self) -> str:
        return self.data["password"]


def _postgres_database(url: str):
    """A database of this worker's own on the server FENXIAO_DATABASE_URL names: (its URL, a
    function dropping it)."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    conf = dj_database_url.parse(url)
    name = f"{conf['NAME']}_e2e_{WORKER}"[:63]
    admin = dict(
        dbname="postgres",
        user=conf["USER"] or None,
        password=conf["PASSWORD"] or None,
        host=conf["HOST"] or None,
        port=conf["PORT"] or None,
        autocommit=True,
    )

    def run(statement):
        with psycopg.connect(**{k: v for k, v in admin.items() if v is not None}) as conn:
            conn.execute(statement)

    def drop():
        run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    drop()  # left over by an interrupted run
    run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name)), drop


@pytest.fixture(scope="session")
def shop(tmp_path_factory) -> Shop:
    """A real `fenxiao serve` (gunicorn, debug off) on a free port, over a fresh database
    seeded with a small shop (tests/e2e/seed.py)."""
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"{CHROMIUM} is missing: apt-get install -y chromium (or `make chromium`)")
    if not (_h5_dir() / "index.html").is_file():
        unavailable(f"the H5 build is missing ({_h5_dir()}): run `make client`")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("playwright is not installed: pip install -e '.[test]'")

    data = tmp_path_factory.mktemp("e2e-serve")
    # a copy of the build: a `make client` while the tests run would swap files under them
    h5 = shutil.copytree(_h5_dir(), data / "h5")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    drop = None
    db_url = os.environ.get("FENXIAO_DATABASE_URL", "")
    if db_url.startswith(("postgres://", "postgresql://")):
        db_url, drop = _postgres_database(db_url)
    else:
        db_url = f"sqlite:///{data / 'db.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FENXIAO_WECHAT")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        FENXIAO_DATA_DIR=str(data),
        FENXIAO_DATABASE_URL=db_url,
        FENXIAO_MEDIA_ROOT=str(data / "media"),
        FENXIAO_STATIC_ROOT=str(data / "static"),
        FENXIAO_SANDBOX_KEY_DIR=str(data / "sandbox"),
        FENXIAO_DEBUG="0",
        FENXIAO_SECRET_KEY="e2e-secret-key",
        FENXIAO_ALLOWED_HOSTS="127.0.0.1",
        FENXIAO_PUBLIC_BASE_URL=base,
        FENXIAO_PAYMENT_PROVIDERS="sandbox",
        FENXIAO_CELERY_EAGER="1",
        # a cap the seeded shop can pass (3 products in 居家), so the page shows "2+"
        FENXIAO_CATALOG_COUNT_CAP="2",
        FENXIAO_CACHE_PREFIX=os.environ.get("FENXIAO_CACHE_PREFIX", "fenxiao") + "-e2e",
        FENXIAO_CLIENT_H5_DIR=str(h5),
        # the server starts in the data directory: import the same code as this process
        PYTHONPATH=os.pathsep.join(
            [str(Path(fenxiao.__file__).resolve().parents[1]), env.get("PYTHONPATH", "")]
        ).rstrip(os.pathsep),
    )
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.e2e.seed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if seeded.returncode:
        pytest.fail("seeding the shop failed:\n" + seeded.stderr[-3000:])
    shop_data = json.loads(seeded.stdout.strip().splitlines()[-1])

    log = data / "serve.log"
    cli = Path(sys.executable).parent / "fenxiao"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            cwd=data,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail("fenxiao serve exited:\n" + log.read_text(errors="replace")[-3000:])
            try:
                urllib.request.urlopen(base + "/api/v1/shop", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("fenxiao serve did not answer:\n" + log.read_text()[-3000:])
                time.sleep(0.3)
        yield Shop(base=base, data=shop_data, log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if drop is not None:
            drop()


@pytest.fixture(scope="module")
def browser(shop):
    """One chromium for the module; stopped before other modules' tests run in this worker
    (Playwright's event loop would make Django refuse their ORM calls)."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@dataclass
class Watch:
    """What went wrong in one browser context: uncaught errors, console errors, API and asset
    responses of 400 and above, and requests that left the shop's origin."""

    origin: str
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def clear(self) -> None:
        for found in (
            self.page_errors,
            self.console_errors,
            self.bad_responses,
            self.foreign_requests,
        ):
            found.clear()

    def on_console(self, message) -> None:
        # "Failed to load resource" repeats a bad response, which bad_responses names by URL
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(message.text)

    def on_response(self, response) -> None:
        path = urllib.parse.urlsplit(response.url).path
        if response.status >= 400:
            self.bad_responses.append(f"{response.status} {response.request.method} {path}")

    def on_request_failed(self, request) -> None:
        # ERR_ABORTED: a load cut short by the test moving on to another page
        if request.url.startswith(self.origin) and request.failure != "net::ERR_ABORTED":
            self.bad_responses.append(f"failed {request.method} {request.url}: {request.failure}")

    def assert_clean(self, *, expected_responses: tuple[str, ...] = ()) -> None:
        assert self.page_errors == [], f"uncaught errors in the page: {self.page_errors}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        assert sorted(self.bad_responses) == sorted(expected_responses), (
            f"unexpected failed requests: {self.bad_responses}"
        )


@dataclass
class User:
    """One person's browser: a context of their own at 390×844 in zh-CN, and its page."""

    page: object
    watch: Watch
    shop: Shop

    def open(self, route: str) -> None:
        """A fresh load of an address of the H5 client, e.g. /#/pages/me/index."""
        self.page.goto("about:blank")
        self.page.goto(route)
        self.settle()

    def settle(self) -> None:
        self.page.wait_for_load_state("networkidle")
        # skeletons stand in while a page's data loads
        self.page.locator(".fx-skeleton").first.wait_for(state="detached", timeout=15_000)

    def body(self):
        """The current page's own content (not the navigation bar or the tab bar)."""
        return self.page.locator("uni-page-body")

    def field(self, placeholder: str):
        """A uni-app <input> by its placeholder text."""
        placeholder_div = self.page.locator(
            ".uni-input-placeholder", has_text=re.compile(f"^{re.escape(placeholder)}$")
        )
        return self.page.locator("uni-input").filter(has=placeholder_div).locator("input")

    def button(self, name: str | re.Pattern):
        text = name if isinstance(name, re.Pattern) else re.compile(f"^\\s*{re.escape(name)}\\s*$")
        return self.page.locator("uni-button", has_text=text)

    def toast(self):
        return self.page.locator("uni-toast")

    def route(self) -> str:
        """The client's route after the hash, e.g. "/pages/cart/index?x=1"."""
        return urllib.parse.urlsplit(self.page.url).fragment

    def log_in(self, phone: str, password: str) -> None:
        from playwright.sync_api import expect

        self.open("/#/pages/login/index")
        self.field("手机号").fill(phone)
        self.field("密码（至少 6 位）").fill(password)
        self.button("登录").click()
        expect(self.toast()).to_contain_text("登录成功")
        # without a page to go back to, the log-in lands on 我的
        self.page.wait_for_url(re.compile(r"#/pages/me/index"))
        self.settle()


@pytest.fixture
def new_user(browser, shop, request):
    """Make a person with a fresh browser context (their own storage: token, referral code)."""
    contexts = []

    def make() -> User:
        context = browser.new_context(
            base_url=shop.base,
            viewport=VIEWPORT,
            device_scale_factor=1,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            permissions=["clipboard-read", "clipboard-write"],
        )
        contexts.append(context)
        watch = Watch(origin=shop.base)

        def leave_origin(route):
            # nothing may come from a CDN; answer locally so a sandbox without DNS does not
            # hang, and let the test that checks every page report it
            watch.foreign_requests.append(route.request.url)
            route.fulfill(status=204, body="")

        context.route(lambda url: not url.startswith(shop.base), leave_origin)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", watch.on_console)
        page.on("pageerror", lambda exc: watch.page_errors.append(str(exc)))
        page.on("response", watch.on_response)
        page.on("requestfailed", watch.on_request_failed)
        return User(page=page, watch=watch, shop=shop)

    yield make
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        # the last screen of each person, to see what went wrong
        folder = ARTIFACTS / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        for i, context in enumerate(contexts):
            for page in context.pages:
                page.screenshot(path=str(folder / f"{request.node.name}-{i}.png"))
    for context in contexts:
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report
