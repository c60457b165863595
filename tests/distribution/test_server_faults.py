"""`fenxiao serve` killed (SIGKILL to gunicorn's master and workers at once) in the middle of a
checkout burst, then restarted. PostgreSQL, real processes.

WeChat Pay is the local stub in the test process, so like the real one it outlives the server:
it keeps every payment a buyer made there, whether or not its notification was committed here
(cut by the kill, or lost on the way). After the restart and `run-due` past the pay timeout,
every payment WeChat took is paid here with its three levels of commission (the query job asks
WeChat before the timeout cancels anything), every other order is cancelled with its stock
back, WeChat's late redeliveries change nothing, and the books reconcile. Some buyers pay
through the sandbox instead, whose "WeChat" commits with our handler or not at all."""

import itertools
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from fenxiao.accounts.models import User
from fenxiao.accounts.services import token_issue
from fenxiao.catalog.models import Sku
from fenxiao.distribution.models import Commission
from fenxiao.money import to_integer_fen, truncate_to_fen
from fenxiao.orders.models import Order, OrderLine, Refund
from fenxiao.payments.models import Payment
from fenxiao.payments.providers.sandbox import notification_body, sign_notification
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.conftest import ADDRESS
from tests.distribution.flows import D, bind_to, chain, plan_set
from tests.distribution.test_concurrency import FENXIAO, assert_books
from tests.payments import test_wechat_provider as wx
from tests.payments.test_query_job import wechat_record
from tests.payments.wechat_stub import PaymentRecords, WechatPayStub

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

wechat = wx.wechat  # the real provider's settings, pointing at the stub
RATES = {1: D("10"), 2: D("5"), 3: D("2")}
STOCK = 1000
BUYERS = 6
KILL_AFTER = 6  # attempts each buyer has finished before the kill: one of every kind


def server_env(tmp_path: Path) -> dict[str, str]:
    """The server's and the CLI's environment: this test database, this process's secret key
    (so the tokens issued here hold there), WeChat Pay at the stub, the sandbox too."""
    db = connection.settings_dict
    return {
        **os.environ,
        "FENXIAO_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "FENXIAO_DATA_DIR": str(tmp_path / "serve"),
        "FENXIAO_DEBUG": "0",
        "FENXIAO_SECRET_KEY": settings.SECRET_KEY,
        "FENXIAO_ALLOWED_HOSTS": "127.0.0.1",
        "FENXIAO_PAYMENT_PROVIDERS": "wechat,sandbox",
        "FENXIAO_CELERY_EAGER": "1",
        "FENXIAO_LOG_LEVEL": "WARNING",
        "FENXIAO_WECHAT_APPID": settings.WECHAT_APPID,
        "FENXIAO_WECHAT_MCHID": settings.WECHAT_MCHID,
        "FENXIAO_WECHAT_CERT_SERIAL": settings.WECHAT_CERT_SERIAL,
        "FENXIAO_WECHAT_PRIVATE_KEY_PATH": settings.WECHAT_PRIVATE_KEY_PATH,
        "FENXIAO_WECHAT_APIV3_KEY": settings.WECHAT_APIV3_KEY,
        "FENXIAO_WECHAT_PUBLIC_KEY_PATH": settings.WECHAT_PUBLIC_KEY_PATH,
        "FENXIAO_WECHAT_PUBLIC_KEY_ID": settings.WECHAT_PUBLIC_KEY_ID,
        "FENXIAO_WECHAT_PAY_GATEWAY": settings.WECHAT_PAY_GATEWAY,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """`fenxiao serve` (gunicorn, 2 workers × 4 threads) in its own process group; returns
    it and its base URL once /api/v1/health answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [str(FENXIAO), "serve", "--host", "127.0.0.1", "--port", str(port)]
            + ["--workers", "2", "--threads", "4"],
            env={**env, "FENXIAO_PUBLIC_BASE_URL": base},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            if requests.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return proc, base
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, "fenxiao serve did not answer"
        time.sleep(0.2)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL every process of the server's group, then wait until none is left."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 30
    while True:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < deadline, "a worker outlived the kill"
        time.sleep(0.1)


def stop(proc: subprocess.Popen) -> None:
    """Stop the server as a deployment would (SIGTERM), or kill it if it lingers."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_group(proc)


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(FENXIAO), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@dataclass
class WechatSide:
    """What WeChat knows: the payments buyers made (as its order query answers them) and the
    notifications it has not seen answered 2xx, which it will send again."""

    stub: WechatPayStub
    records: PaymentRecords
    unanswered: dict[str, str] = field(default_factory=dict)  # out_trade_no -> body
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_payment(self, order: dict, openid: str) -> str:
        """The buyer pays in WeChat: from here on WeChat holds the money. Returns the
        notification it sends (sent until answered)."""
        number = order["number"]
        resource = wechat_record(order, total=to_integer_fen(D(order["total"])), openid=openid)
        resource["transaction_id"] = "4200" + uuid.uuid4().hex[:24]
        body = notification_body(
            event_type="TRANSACTION.SUCCESS",
            original_type="transaction",
            summary="支付成功",
            resource=resource,
            apiv3_key=wx.APIV3_KEY,
        )
        with self.lock:
            self.records.transactions[number] = resource
            self.unanswered[number] = body
        return body

    def deliver(self, http: requests.Session, base: str, number: str) -> int:
        """Send (again) the notification of a payment, signed now, as WeChat's retries are."""
        body = self.unanswered[number]
        headers = sign_notification(private_key=self.stub.platform, serial=wx.KEY_ID, body=body)
        r = http.post(
            f"{base}/api/v1/payments/notify/wechat",
            data=body.encode(),
            headers={**headers, "Content-Type": "application/json"},
            timeout=30,
        )
        if r.status_code in (200, 204):
            with self.lock:
                self.unanswered.pop(number, None)
        return r.status_code


@dataclass
class Burst:
    base: str
    wechat: WechatSide
    skus: list[int]
    killed: threading.Event = field(default_factory=threading.Event)
    finished: list[int] = field(default_factory=lambda: [0] * BUYERS)  # attempts, by buyer
    failures: list[str] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)  # requests the kill cut off


def shop() -> tuple[list[User], list[User], list[Sku]]:
    """Three levels of commission (10 %, 5 %, 2 %), a chain of three distributors with
    buyers bound under the last (each with a mini-program openid), four SKUs."""
    plan_set(
        mode="everyone",
        levels=3,
        bind_on="visit",
        rates=[{"level": n, "percent": str(p)} for n, p in RATES.items()],
    )
    people = chain(3)
    buyers = []
    for _ in range(BUYERS):
        buyer = UserFactory(openid="o" + uuid.uuid4().hex)
        assert bind_to(buyer, people[-1])
        buyers.append(buyer)
    skus = [SkuFactory(price=D("19.90") + 7 * i, stock=STOCK) for i in range(4)]
    return people, buyers, skus


def buy_in_a_loop(burst: Burst, token: str, openid: str, seed: int) -> None:
    """Purchase after purchase until the server is gone. By attempt number: paid through
    WeChat and notified (0, 1), paid through the sandbox (2), paid in WeChat with the
    notification lost (3), payment started and never paid (4), order never paid (5)."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    skus = burst.skus[seed % 2 :] + burst.skus[: seed % 2]
    for i in itertools.count(seed):
        kind, r = i % 6, None
        picked = skus[: 1 + i % 2]
        lines = [{"sku_id": k, "quantity": 1 + (i + n) % 2} for n, k in enumerate(picked)]
        try:
            r = http.post(
                f"{burst.base}/api/v1/orders",
                json={"lines": lines, "address": ADDRESS, "request_id": uuid.uuid4().hex},
                timeout=60,
            )
            r.raise_for_status()
            order = r.json()
            if kind != 5:
                provider = "sandbox" if kind == 2 else "wechat"
                r = http.post(
                    f"{burst.base}/api/v1/orders/{order['id']}/pay",
                    json={"provider": provider},
                    timeout=60,
                )
                r.raise_for_status()
                payment_id = r.json()["payment_id"]
            if kind == 2:
                r = http.post(
                    f"{burst.base}/api/v1/payments/sandbox/{payment_id}/complete", timeout=60
                )
                r.raise_for_status()
            elif kind in (0, 1, 3):
                burst.wechat.take_payment(order, openid)
                if kind != 3:
                    status = burst.wechat.deliver(http, burst.base, order["number"])
                    assert status in (200, 204), status
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            if burst.killed.is_set():
                burst.cut.append(repr(exc))
                return
            burst.failures.append(repr(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the test asserts there were none
            burst.failures.append(f"{exc!r} {getattr(r, 'text', '')[:300]}")
            return
        burst.finished[seed] += 1


def expected_commissions(line: OrderLine) -> dict[int, Decimal]:
    return {level: truncate_to_fen(line.amount * rate / 100) for level, rate in RATES.items()}


def assert_every_paid_order_has_its_commissions(people) -> None:
    by_level = {1: people[2].pk, 2: people[1].pk, 3: people[0].pk}
    for line in OrderLine.objects.filter(order__paid_at__isnull=False):
        got = {c.level: (c.beneficiary_id, c.amount) for c in Commission.objects.filter(line=line)}
        want = {level: (by_level[level], a) for level, a in expected_commissions(line).items()}
        assert got == want, (line.order.number, got, want)
    assert Commission.objects.filter(order__paid_at__isnull=True).count() == 0


def assert_stock_is_initial_less_paid(skus) -> None:
    for sku in Sku.objects.filter(pk__in=[s.pk for s in skus]):
        sold = (
            OrderLine.objects.filter(sku=sku, order__paid_at__isnull=False).aggregate(
                n=Sum("quantity")
            )["n"]
            or 0
        )
        assert sku.stock == STOCK - sold, (sku.pk, sku.stock, sold)


def test_a_server_killed_mid_checkout_loses_no_payment_and_holds_no_stock(
    wechat, settings, tmp_path, capsys
):
    # given: a shop, its server, and WeChat (the stub) that will outlive the server
    people, buyers, skus = shop()
    side = WechatSide(stub=wechat, records=PaymentRecords(wechat, mchid=wx.MCHID))
    env = server_env(tmp_path)
    log = tmp_path / "serve.log"
    tokens = [token_issue(user=b) for b in buyers]
    connection.close()
    proc, base = serve(env, log)
    burst = Burst(base=base, wechat=side, skus=[s.pk for s in skus])

    # when: the buyers buy in a loop, and the whole server is killed mid-burst
    threads = [
        threading.Thread(target=buy_in_a_loop, args=(burst, t, b.openid, n))
        for n, (t, b) in enumerate(zip(tokens, buyers, strict=True))
    ]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 120
        while min(burst.finished) < KILL_AFTER:
            assert not burst.failures, burst.failures
            assert time.monotonic() < deadline, "the burst did not get going"
            time.sleep(0.05)
        assert all(t.is_alive() for t in threads), burst.failures
        burst.killed.set()
        kill_group(proc)
        for t in threads:
            t.join(timeout=120)
    finally:
        stop(proc)
    assert not burst.failures, burst.failures
    assert len(burst.cut) == BUYERS  # each buyer was still buying when the server went

    # then: the server restarts on the same data, and every order paid so far has its
    # commissions; WeChat took some payments that were never recorded here
    proc, base = serve(env, log)
    try:
        assert_every_paid_order_has_its_commissions(people)
        took = set(side.records.transactions)
        recorded = Order.objects.filter(paid_at__isnull=False).values_list("number", flat=True)
        unrecorded = took - set(recorded)  # at least the lost notifications' payments
        assert unrecorded
        pending = Order.objects.filter(status=Order.Status.PENDING_PAYMENT).count()

        # when: the periodic jobs run past the pay timeout
        later = timezone.localtime() + settings.ORDER_PAY_TIMEOUT + timedelta(minutes=1)
        out = cli(env, "run-due", "--at", later.isoformat())
        assert f"query-pending-payments: {len(unrecorded)}\n" in out, out
        assert f"cancel-unpaid-orders: {pending - len(unrecorded)}\n" in out, out

        # then: every payment WeChat took is paid here, once, and its order kept
        for number in took:
            payment = Payment.objects.get(provider="wechat", out_trade_no=number)
            assert payment.status == Payment.Status.PAID, number
            assert payment.transaction_id == side.records.transactions[number]["transaction_id"]
            assert Order.objects.get(number=number).status == Order.Status.PAID
        sandbox_paid = Payment.objects.filter(provider="sandbox", status=Payment.Status.PAID)
        paid = Order.objects.filter(paid_at__isnull=False).count()
        assert paid == len(took) + sandbox_paid.count()
        assert_every_paid_order_has_its_commissions(people)
        # and no unpaid order holds stock: each is cancelled, its payment closed
        assert not Order.objects.filter(status=Order.Status.PENDING_PAYMENT).exists()
        unpaid = Order.objects.filter(paid_at__isnull=True)
        assert not unpaid.exclude(status=Order.Status.CANCELLED).exists()
        assert not Payment.objects.filter(order__in=unpaid, status=Payment.Status.CREATED).exists()
        assert not Refund.objects.exists()  # no paid order was cancelled and refunded
        assert_stock_is_initial_less_paid(skus)
        assert_books(capsys)  # and `fenxiao reconcile` finds no difference

        # when: WeChat sends again what it never saw answered 2xx (the lost and the cut)
        assert side.unanswered
        http = requests.Session()
        for number in list(side.unanswered):
            assert side.deliver(http, base, number) in (200, 204)
    finally:
        stop(proc)

    # then: nothing changes
    assert Order.objects.filter(paid_at__isnull=False).count() == paid
    assert Payment.objects.filter(status=Payment.Status.PAID).count() == paid
    assert not Refund.objects.exists()
    assert_every_paid_order_has_its_commissions(people)
    assert_stock_is_initial_less_paid(skus)
    assert_books(capsys)
