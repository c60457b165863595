"""Binding (绑定关系): referral visits and `ref` on register/log-in bind per the plan's rule;
never to oneself, never a cycle, only to active distributors; every binding recorded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fenxiao.accounts.models import User
from fenxiao.distribution import selectors
from fenxiao.distribution.models import Binding, BindingEvent, Commission
from fenxiao.distribution.services import binding, distributors
from tests.accounts.factories import PASSWORD, UserFactory
from tests.catalog.factories import SkuFactory
from tests.conftest import Api
from tests.distribution.flows import (
    D,
    amounts_by_level,
    assert_ledger_clean,
    balances,
    bind_to,
    buy,
    code_of,
    line_of,
    make_distributor,
    plan_set,
    refund,
)
from tests.orders.flows import assert_error

pytestmark = pytest.mark.django_db

Kind = BindingEvent.Kind


def inviter_of(user):
    return selectors.inviter_id_of(user.pk)


def events(user) -> list[tuple]:
    rows = BindingEvent.objects.filter(user=user).order_by("pk")
    return [(e.kind, e.inviter_id, e.previous_inviter_id, e.source) for e in rows]


def visit(user, inviter, at=None, **kw) -> binding.VisitResult:
    return binding.referral_visit(user=user, code=code_of(inviter), now=at, **kw)


@pytest.fixture
def a():
    return make_distributor()


@pytest.fixture
def b():
    return make_distributor()


# the API


def test_visit_through_the_api_binds_and_is_recorded(make_api, a):
    user = UserFactory()
    sku = SkuFactory()
    api = make_api(user)
    r = api.post("/referrals/visit", {"code": code_of(a).lower(), "product_id": sku.product_id})
    assert r.status_code == 200, r.content
    assert r.json() == {"bound": True, "inviter_id": a.pk}
    assert events(user) == [(Kind.VISIT, a.pk, None, "product"), (Kind.BIND, a.pk, None, "product")]
    assert set(BindingEvent.objects.filter(user=user).values_list("product_id", flat=True)) == {
        sku.product_id
    }
    bound = Binding.objects.get(user=user)
    assert (bound.inviter_id, bound.source, bound.expires_at) == (a.pk, "product", None)
    assert api.get("/distributor/me").json()["inviter_id"] == a.pk


def test_poster_source_is_recorded(make_api, a):
    user = UserFactory()
    r = make_api(user).post("/referrals/visit", {"code": code_of(a), "source": "poster"})
    assert r.json()["bound"] is True
    assert events(user)[-1] == (Kind.BIND, a.pk, None, "poster")


def test_unknown_code_is_a_404_and_binds_nothing(buyer_api, buyer):
    assert_error(buyer_api.post("/referrals/visit", {"code": "NOSUCH99"}), 404)
    assert inviter_of(buyer) is None
    assert_error(buyer_api.post("/referrals/visit", {"code": ""}), 400)
    assert_error(buyer_api.post("/referrals/visit", {}), 400)


def test_visit_needs_a_signed_in_user(anon, a):
    assert_error(anon.post("/referrals/visit", {"code": code_of(a)}), 401)


def test_ref_on_register_binds(anon, a):
    r = anon.post(
        "/auth/register", {"phone": "13600000001", "password": "secret-pass-1", "ref": code_of(a)}
    )
    assert r.status_code == 201, r.content
    user_id = r.json()["user"]["id"]
    assert selectors.inviter_id_of(user_id) == a.pk
    assert Binding.objects.get(user_id=user_id).source == "register"


def test_bad_ref_never_blocks_register_or_login(anon):
    r = anon.post(
        "/auth/register", {"phone": "13600000002", "password": "secret-pass-1", "ref": "NOPE"}
    )
    assert r.status_code == 201, r.content
    r = anon.post(
        "/auth/login", {"phone": "13600000002", "password": "secret-pass-1", "ref": "NOPE"}
    )
    assert r.status_code == 200, r.content
    assert selectors.inviter_id_of(r.json()["user"]["id"]) is None


def test_ref_on_login_rebinds_under_last_touch(anon, a, b):
    plan_set(bind_rule="last_touch")
    user = UserFactory()
    assert bind_to(user, a)
    r = anon.post("/auth/login", {"phone": user.phone, "password": PASSWORD, "ref": code_of(b)})
    assert r.status_code == 200, r.content
    assert inviter_of(user) == b.pk
    assert events(user)[-1] == (Kind.REBIND, b.pk, a.pk, "login")


def test_ref_on_login_keeps_the_first_under_first_touch(anon, a, b):
    user = UserFactory()
    assert bind_to(user, a)
    r = anon.post("/auth/login", {"phone": user.phone, "password": PASSWORD, "ref": code_of(b)})
    assert r.status_code == 200, r.content
    assert inviter_of(user) == a.pk


# bind rules


def test_first_touch_keeps_the_first_inviter_forever(a, b):
    user = UserFactory()
    now = timezone.now()
    assert visit(user, a, at=now).bound is True
    later = visit(user, b, at=now + timedelta(days=3650))
    assert (later.bound, later.inviter_id) == (False, a.pk)
    assert [e[0] for e in events(user)] == [Kind.VISIT, Kind.BIND, Kind.VISIT]


def test_expiring_keeps_the_inviter_within_bind_days_then_the_next_link_rebinds(a, b):
    plan_set(bind_rule="expiring", bind_days=30)
    user = UserFactory()
    t0 = timezone.now()
    assert visit(user, a, at=t0).bound is True
    assert Binding.objects.get(user=user).expires_at == t0 + timedelta(days=30)

    within = visit(user, b, at=t0 + timedelta(days=29))
    assert (within.bound, within.inviter_id) == (False, a.pk)

    after = visit(user, b, at=t0 + timedelta(days=30, seconds=1))
    assert (after.bound, after.inviter_id) == (True, b.pk)
    assert events(user)[-1] == (Kind.REBIND, b.pk, a.pk, "link")
    assert Binding.objects.get(user=user).expires_at == t0 + timedelta(days=60, seconds=1)


def test_expiring_revisit_of_the_same_inviter_renews_the_binding(a, b):
    plan_set(bind_rule="expiring", bind_days=30)
    user = UserFactory()
    t0 = timezone.now()
    visit(user, a, at=t0)
    visit(user, a, at=t0 + timedelta(days=20))
    # the renewed binding still holds 45 days after the first visit
    held = visit(user, b, at=t0 + timedelta(days=45))
    assert (held.bound, held.inviter_id) == (False, a.pk)
    assert [e[0] for e in events(user)] == [Kind.VISIT, Kind.BIND, Kind.VISIT, Kind.VISIT]


def test_last_touch_takes_the_latest_link(a, b):
    plan_set(bind_rule="last_touch")
    user = UserFactory()
    assert visit(user, a).bound
    assert visit(user, b).bound
    assert visit(user, a).bound
    assert inviter_of(user) == a.pk
    binds = [(e[0], e[1], e[2]) for e in events(user) if e[0] != Kind.VISIT]
    assert binds == [
        (Kind.BIND, a.pk, None),
        (Kind.REBIND, b.pk, a.pk),
        (Kind.REBIND, a.pk, b.pk),
    ]


# bind on the first paid order


def test_bind_on_first_order_binds_at_payment_to_the_first_visit(a, b):
    plan_set(bind_on="first_order")
    user = UserFactory()
    first, second = visit(user, a), visit(user, b)
    assert (first.bound, first.inviter_id) == (False, None)
    assert (second.bound, second.inviter_id) == (False, None)
    assert inviter_of(user) is None

    order = buy(user, (SkuFactory(price=D("100.00")), 1))

    assert inviter_of(user) == a.pk  # first_touch: the first visit
    assert Binding.objects.get(user=user).source == "first_order"
    assert amounts_by_level(order) == {1: D("15.00")}
    assert Commission.objects.get(order=order).beneficiary_id == a.pk


def test_bind_on_first_order_with_last_touch_takes_the_latest_visit(a, b):
    plan_set(bind_on="first_order", bind_rule="last_touch")
    user = UserFactory()
    visit(user, a)
    visit(user, b)
    buy(user, (SkuFactory(), 1))
    assert inviter_of(user) == b.pk


def test_bind_on_first_order_skips_an_inviter_no_longer_active(a, b):
    plan_set(bind_on="first_order")
    user = UserFactory()
    visit(user, a)
    visit(user, b)
    distributors.distributor_freeze(distributor_id=a.pk)
    buy(user, (SkuFactory(), 1))
    assert inviter_of(user) == b.pk


def test_bind_on_first_order_only_at_the_first_paid_order(a, b):
    plan_set(bind_on="first_order")
    user = UserFactory()
    buy(user, (SkuFactory(), 1))  # paid without any visit: nobody to bind
    visit(user, a)
    buy(user, (SkuFactory(), 1))
    assert inviter_of(user) is None


# never to oneself, never a cycle, only to active distributors


def test_no_self_binding(make_api, a):
    r = make_api(a).post("/referrals/visit", {"code": code_of(a)})
    assert r.json() == {"bound": False, "inviter_id": None}
    assert not BindingEvent.objects.filter(user=a).exists()


def test_no_cycle_directly_or_through_the_tree(a):
    plan_set(bind_rule="last_touch")
    b = make_distributor(inviter=a)
    c = make_distributor(inviter=b)
    # a → b would make a the child of its own child
    assert visit(a, b).bound is False
    assert visit(a, c).bound is False
    assert inviter_of(a) is None
    assert not BindingEvent.objects.filter(user=a).exclude(kind=Kind.VISIT).exists()
    # and c may still move up to a
    assert visit(c, a).bound is True


def test_only_active_distributors_bind(a):
    plan_set(mode="apply")
    applied = UserFactory()
    distributors.distributor_apply(user=applied)  # has a code, not yet approved
    user = UserFactory()
    assert visit(user, applied).bound is False
    distributors.distributor_freeze(distributor_id=a.pk)
    assert visit(user, a).bound is False
    assert inviter_of(user) is None
    # the visits themselves are recorded, nothing else
    assert [e[0] for e in events(user)] == [Kind.VISIT, Kind.VISIT]


# the chain is a snapshot at payment


def test_rebinding_after_payment_does_not_move_that_orders_commissions(a, b):
    plan_set(bind_rule="last_touch")
    user = UserFactory()
    visit(user, a)
    order = buy(user, (SkuFactory(price=D("100.00"), stock=10), 2))
    visit(user, b)
    assert inviter_of(user) == b.pk

    refund(order, {line_of(order).pk: 1})

    # the refund reverses a's commission on that order; b never earned from it
    assert balances(a)["frozen"] == D("15.00")
    assert balances(b)["frozen"] == 0
    assert not Commission.objects.filter(beneficiary=b).exists()
    assert_ledger_clean()


def test_register_through_api_then_buy_pays_the_inviter(anon, a):
    r = anon.post(
        "/auth/register", {"phone": "13600000009", "password": "secret-pass-1", "ref": code_of(a)}
    )
    user_api = Api(r.json()["token"])
    sku = SkuFactory(price=D("500.00"))
    from tests.orders.flows import pay, place

    order = place(user_api, sku)
    pay(user_api, order["id"])
    assert balances(a)["frozen"] == D("75.00")


def test_a_disabled_accounts_link_binds_nobody(a):
    User.objects.filter(pk=a.pk).update(is_active=False)  # as the console's user form does
    user = UserFactory()
    assert visit(user, a).bound is False
    assert inviter_of(user) is None
