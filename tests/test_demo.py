"""`load_demo()`: a believable shop, built through the services, loaded once."""

from collections import Counter

import pytest
from django.core.files.storage import default_storage
from django.db.models import Count, F, Q, Sum

from fenxiao.accounts.models import User
from fenxiao.accounts.services import STAFF_ROLES
from fenxiao.catalog.models import Category, Product, ProductImage, Sku
from fenxiao.cli import main as fenxiao
from fenxiao.demo import DemoResetRefused, load_demo, people
from fenxiao.orders.models import Order, OrderLine, Refund
from fenxiao.payments.models import Payment, PaymentNotification
from fenxiao.payments.selectors import reconciliation_differences
from fenxiao.payouts.models import PayoutTransfer, Withdrawal
from tests.conftest import ADDRESS, Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    # how long loading takes is measured by `make bench`, not asserted here
    return load_demo(), None


def test_demo_prints_a_log_in_per_role_and_each_works(demo, client):
    logins, _ = demo
    roles = [role for role, _, _ in logins]
    for role in STAFF_ROLES:
        assert any(role in label for label in roles), role
    # every printed log-in works
    for _, phone, password in logins:
        assert User.objects.get(phone=phone).check_password(password), phone
    _, phone, password = next(login for login in logins if "owner" in login[0])
    r = client.post("/admin/login/?next=/admin/", {"username": phone, "password": password})
    assert r.status_code == 302, r.content.decode()[:300]
    assert "今日概况" in client.get("/admin/").content.decode()


def test_demo_catalogue_is_believable(demo):
    on_shelf = Product.objects.filter(status=Product.Status.ON_SHELF)
    assert on_shelf.count() >= 30
    assert Product.objects.exclude(status=Product.Status.ON_SHELF).exists()  # off shelf, draft
    for product in on_shelf.prefetch_related("images", "skus").select_related("category"):
        assert product.tagline and product.selling_points and "<h3>" in product.description
        assert product.category.parent is not None, product.name  # a second-level category
        assert product.images.all(), product.name
        for image in product.images.all():
            assert default_storage.exists(image.image.name)
        skus = [s for s in product.skus.all() if s.is_active]
        assert skus and all(s.specs and s.price > 0 and s.cost < s.price for s in skus)
    tops = Category.objects.filter(parent__isnull=True).annotate(n=Count("children"))
    assert tops.count() >= 5 and all(top.n >= 1 for top in tops)
    # images are drawn once: a product's pictures are distinct files
    assert ProductImage.objects.values("image").distinct().count() == ProductImage.objects.count()


def test_demo_has_staff_of_every_role_and_buyers(demo):
    for role in STAFF_ROLES:
        assert User.objects.filter(is_staff=True, groups__name=role).exists(), role
    buyers = User.objects.filter(is_staff=False)
    assert buyers.count() >= 20
    assert not buyers.filter(addresses__isnull=True).exists()


def test_demo_orders_cover_every_state_consistently(demo):
    statuses = Counter(Order.objects.values_list("status", flat=True))
    assert set(statuses) == set(Order.Status.values), statuses
    refunds = Counter(Refund.objects.values_list("status", flat=True))
    assert {"requested", "refunded", "rejected"} <= set(refunds), refunds

    # full and partial refunds, with and without returning stock
    refunded = Order.objects.filter(refunded_amount__gt=0)
    assert refunded.filter(refunded_amount=F("total"), status=Order.Status.REFUNDED).exists()
    assert refunded.filter(refunded_amount__lt=F("total")).exclude(status="refunded").exists()
    assert Refund.objects.filter(status="refunded", return_stock=False).exists()

    # paid through the sandbox's signed notifications, one per paid order
    paid = Order.objects.filter(paid_at__isnull=False)
    assert Payment.objects.filter(status="paid", provider="sandbox").count() == paid.count()
    assert PaymentNotification.objects.filter(event_type="TRANSACTION.SUCCESS").count() == (
        paid.count()
    )
    assert not Order.objects.filter(Q(status="pending_payment") | Q(status="cancelled")).filter(
        paid_at__isnull=False
    )
    assert reconciliation_differences() == []

    # sales counters moved with payments and refunds
    sold = (
        OrderLine.objects.filter(order__paid_at__isnull=False)
        .values("product")
        .annotate(units=Sum("quantity") - Sum("refunded_quantity"))
    )
    for row in sold:
        assert Product.objects.get(pk=row["product"]).sales == row["units"]


def test_loading_twice_changes_nothing(demo):
    counts = {m: m.objects.count() for m in (User, Product, Sku, Order, Refund, Payment)}
    stock = list(Sku.objects.order_by("pk").values_list("stock", flat=True))

    logins = load_demo()

    assert logins == demo[0]
    assert {m: m.objects.count() for m in counts} == counts
    assert list(Sku.objects.order_by("pk").values_list("stock", flat=True)) == stock


def test_reset_refuses_a_database_that_is_not_the_demo_file():
    # the test database is not the demo's SQLite file under DATA_DIR: never wipe it
    with pytest.raises(DemoResetRefused):
        load_demo(reset=True)


def test_demo_has_a_three_level_tree_and_commissions_in_every_state(demo):
    from fenxiao.distribution import selectors
    from fenxiao.distribution.models import Commission, Distributor, Plan
    from fenxiao.ledger.selectors import balances_of

    plan = Plan.objects.get()
    assert (plan.mode, plan.levels) == ("everyone", 3)
    top = User.objects.get(phone="13900139000")
    counts = selectors.team_counts(user_id=top.pk)
    assert all(counts[level] > 0 for level in (1, 2, 3)), counts
    statuses = set(Commission.objects.values_list("status", flat=True))
    assert statuses == {"frozen", "settled", "reversed"}
    assert Distributor.objects.filter(status="frozen").exists()
    assert Commission.objects.filter(level=3).exists()
    assert Commission.objects.filter(rate_source="product", rate_kind="fixed").exists()
    # the top distributor, whose log-in is printed, has money in both buckets
    balances = balances_of(top.pk)
    assert balances["frozen"] > 0 and balances["available"] > 0
    assert fenxiao(["reconcile"]) == 0


def test_demo_has_withdrawals_in_the_states_finance_meets(demo):
    states = dict(Withdrawal.objects.values_list("request_id", "status"))
    assert states == {
        "demo-1": "requested",
        "demo-2": "rejected",
        "demo-3": "paid",
        "demo-4": "approved",
    }
    waiting = PayoutTransfer.objects.get(withdrawal__request_id="demo-4")
    assert waiting.state == PayoutTransfer.State.WAIT_USER_CONFIRM and waiting.package_info
    assert Withdrawal.objects.get(request_id="demo-3").paid_reference
    assert fenxiao(["reconcile"]) == 0


def test_demo_buyer_sees_the_activity_a_coupon_freight_and_points_at_checkout(demo):
    login = Api().post("/auth/login", {"phone": people.H5_BUYER[0], "password": people.H5_BUYER[1]})
    api = Api(login.json()["token"])
    cheap = Sku.objects.filter(stock__gt=0, price__lt=50, product__status="on_shelf").first()
    dear = Sku.objects.filter(stock__gt=0, price__gte=199, product__status="on_shelf").first()

    small = api.post(
        "/orders/preview", {"lines": [{"sku_id": cheap.pk, "quantity": 1}], "address": ADDRESS}
    ).json()
    big = api.post(
        "/orders/preview", {"lines": [{"sku_id": dear.pk, "quantity": 1}], "address": ADDRESS}
    ).json()

    assert small["freight"] == "8.00" and big["freight"] == "0.00"  # free above ¥99
    assert [d["kind"] for d in big["discounts"]] == ["full_reduction"]
    assert [c["name"] for c in big["usable_coupons"]] == ["新人无门槛券"]
    assert api.get("/me/points").json()["rule"]["enabled"] is True
