"""Commissions created when a payment is confirmed: who earns (the chain snapshot), how much
(rate precedence, base, cap, truncation), and that nothing is ever paid twice."""

import pytest
from django.utils import timezone

from fenxiao.accounts.models import User
from fenxiao.distribution.models import Commission, Distributor, Grade, OrderBeneficiary
from fenxiao.distribution.services import distributors, grades
from fenxiao.distribution.services.commissions import commissions_create_for_order
from fenxiao.ledger import services as ledger
from fenxiao.ledger.models import Entry, Transaction
from fenxiao.payments import services as payments
from fenxiao.payments.models import PaymentNotification
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.distribution.flows import (
    D,
    amounts_by_level,
    assert_ledger_clean,
    balances,
    bind_to,
    buy,
    buyer_under,
    chain,
    commissions_of,
    coupon_for,
    make_distributor,
    place,
    plan_set,
    transactions,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sku():
    """¥299.90, cost ¥100.00 — DESIGN's worked example."""
    return SkuFactory(price=D("299.90"), cost=D("100.00"), stock=1000)


def set_grade(user, grade: Grade) -> None:
    # what the console's distributor form writes when staff pick a grade by hand
    Distributor.objects.filter(pk=user.pk).update(grade=grade)


# DESIGN's worked examples, end to end


def test_order_of_500_at_20_percent_earns_100_frozen():
    plan_set(levels=1, rates=[{"level": 1, "percent": "20"}])
    (parent,) = chain(1)
    buyer = buyer_under(parent)
    order = buy(buyer, (SkuFactory(price=D("500.00")), 1))

    (commission,) = commissions_of(parent)
    assert (commission.level, commission.amount, commission.status) == (1, D("100.00"), "frozen")
    assert balances(parent) == {"frozen": D("100.00"), "available": 0, "withdrawing": 0}
    # one balanced ledger transaction: the distributor's frozen account against the expense
    txn = Transaction.objects.get(kind="commission_accrue", source_id=str(commission.pk))
    legs = sorted((e.account.key, e.amount) for e in txn.entries.select_related("account"))
    assert legs == [
        ("platform:commission_expense", D("-100.00")),
        (f"user:{parent.pk}:frozen", D("100.00")),
    ]
    assert order.number == commission.order_number
    assert_ledger_clean()


def test_two_levels_of_a_299_90_line_earn_44_98_and_29_99(sku):
    top, parent = chain(2)
    buyer = buyer_under(parent)
    order = buy(buyer, (sku, 1))

    assert amounts_by_level(order) == {1: D("44.98"), 2: D("29.99")}
    line = order.lines.get()
    first = Commission.objects.get(line=line, level=1)
    # a commission line carries order number, product, SKU, quantity, base, rate and level
    assert first.beneficiary_id == parent.pk
    assert first.order_number == order.number
    assert first.product_name == line.product_name
    assert first.sku_id == sku.pk
    assert first.quantity == 1
    assert first.base == D("299.90")
    assert (first.rate_kind, first.rate, first.rate_source) == ("percent", D("15"), "plan")
    assert first.created_at == order.paid_at
    assert balances(top)["frozen"] == D("29.99")
    assert_ledger_clean()


def three_levels_at_15_10_5():
    plan_set(
        levels=3,
        rates=[
            {"level": 1, "percent": "15"},
            {"level": 2, "percent": "10"},
            {"level": 3, "percent": "5"},
        ],
    )


def test_three_levels_are_paid_and_a_fourth_ancestor_earns_nothing(sku):
    three_levels_at_15_10_5()
    fourth, third, second, first = chain(4)
    buyer = buyer_under(first)
    order = buy(buyer, (sku, 2))  # paid 599.80

    assert amounts_by_level(order) == {1: D("89.97"), 2: D("59.98"), 3: D("29.99")}
    assert [c.beneficiary_id for c in Commission.objects.filter(order=order).order_by("level")] == [
        first.pk,
        second.pk,
        third.pk,
    ]
    assert commissions_of(fourth) == []
    assert balances(fourth)["frozen"] == 0
    snapshot = OrderBeneficiary.objects.filter(order=order).order_by("level")
    assert [(b.level, b.user_id) for b in snapshot] == [
        (0, buyer.pk),
        (1, first.pk),
        (2, second.pk),
        (3, third.pk),
    ]
    assert_ledger_clean()


def test_a_buyer_without_inviter_earns_nobody_anything(sku):
    chain(2)
    order = buy(UserFactory(), (sku, 1))
    assert not Commission.objects.filter(order=order).exists()
    assert transactions("commission_accrue") == 0


# self-purchase (自购返佣)


def test_self_purchase_on_makes_the_buyer_level_one(sku):
    plan_set(self_purchase=True)
    (parent,) = chain(1)
    me = make_distributor(inviter=parent)
    order = buy(me, (sku, 1))
    assert [
        (c.level, c.beneficiary_id, c.amount)
        for c in Commission.objects.filter(order=order).order_by("level")
    ] == [(1, me.pk, D("44.98")), (2, parent.pk, D("29.99"))]


def test_self_purchase_off_level_one_is_the_inviter(sku):
    top, parent = chain(2)
    me = make_distributor(inviter=parent)  # an active distributor, but self_purchase is off
    order = buy(me, (sku, 1))
    assert [
        (c.level, c.beneficiary_id)
        for c in Commission.objects.filter(order=order).order_by("level")
    ] == [(1, parent.pk), (2, top.pk)]
    assert commissions_of(me) == []


def test_self_purchase_in_mode_everyone_counts_a_buyer_who_never_opened_the_centre(sku):
    # mode everyone: every user is a distributor, whether or not their profile row exists yet
    plan_set(self_purchase=True, mode="everyone")
    (parent,) = chain(1)
    me = buyer_under(parent)
    assert not Distributor.objects.filter(pk=me.pk).exists()
    order = buy(me, (sku, 1))
    assert amounts_by_level(order) == {1: D("44.98"), 2: D("29.99")}
    assert commissions_of(me)[0].level == 1
    assert commissions_of(parent)[0].level == 2


def test_self_purchase_does_not_apply_to_a_buyer_who_is_not_an_active_distributor(sku):
    plan_set(self_purchase=True, mode="apply")
    (parent,) = chain(1)
    me = buyer_under(parent)
    distributors.distributor_apply(user=me)  # applied, not approved
    order = buy(me, (sku, 1))
    assert [(c.level, c.beneficiary_id) for c in Commission.objects.filter(order=order)] == [
        (1, parent.pk)
    ]


def test_self_purchase_of_a_frozen_buyer_skips_level_one_for_the_inviter(sku):
    plan_set(self_purchase=True)
    (parent,) = chain(1)
    me = make_distributor(inviter=parent)
    distributors.distributor_freeze(distributor_id=me.pk)
    order = buy(me, (sku, 1))
    # the frozen buyer is not an active distributor: level 1 is their inviter
    assert [(c.level, c.beneficiary_id) for c in Commission.objects.filter(order=order)] == [
        (1, parent.pk)
    ]


# frozen distributors are skipped without shifting the levels


def test_frozen_middle_level_is_skipped_without_shifting(sku):
    three_levels_at_15_10_5()
    third, second, first = chain(3)
    buyer = buyer_under(first)
    distributors.distributor_freeze(distributor_id=second.pk, note="违规推广")

    order = buy(buyer, (sku, 1))

    # level 3 still earns the level-3 rate; level 2's share is not passed up
    assert amounts_by_level(order) == {1: D("44.98"), 3: D("14.99")}
    assert commissions_of(second) == []
    assert commissions_of(third)[0].level == 3
    level2 = OrderBeneficiary.objects.get(order=order, level=2)
    assert (level2.user_id, level2.active) == (second.pk, False)
    assert_ledger_clean()


def test_an_inviter_without_a_distributor_profile_keeps_the_level_and_earns_nothing(sku):
    three_levels_at_15_10_5()
    third, second, first = chain(3)
    buyer = buyer_under(first)
    Distributor.objects.filter(pk=second.pk).delete()  # the binding stays: a user, not a seller

    order = buy(buyer, (sku, 1))

    assert amounts_by_level(order) == {1: D("44.98"), 3: D("14.99")}
    level2 = OrderBeneficiary.objects.get(order=order, level=2)
    assert (level2.user_id, level2.grade_id, level2.active) == (second.pk, None, False)
    assert_ledger_clean()


def test_frozen_level_one_is_skipped_and_unfrozen_earns_again(sku):
    top, parent = chain(2)
    buyer = buyer_under(parent)
    distributors.distributor_freeze(distributor_id=parent.pk)
    first = buy(buyer, (sku, 1))
    assert amounts_by_level(first) == {2: D("29.99")}

    distributors.distributor_unfreeze(distributor_id=parent.pk)
    second = buy(buyer, (sku, 1))
    assert amounts_by_level(second) == {1: D("44.98"), 2: D("29.99")}


# rates: fixed per unit, precedence product > grade > plan (per level)


def test_fixed_rate_per_unit(sku):
    plan_set(rates=[{"level": 1, "fixed": "5.00"}, {"level": 2, "percent": "10"}])
    top, parent = chain(2)
    order = buy(buyer_under(parent), (sku, 3))  # 899.70
    assert amounts_by_level(order) == {1: D("15.00"), 2: D("89.97")}
    first = Commission.objects.get(order=order, level=1)
    assert (first.rate_kind, first.rate, first.quantity) == ("fixed", D("5.00"), 3)


def test_grade_rates_beat_the_plan_per_level(sku):
    gold = grades.grade_save(
        grade=Grade(name="金牌", rank=10, rates=[{"level": 1, "percent": "20"}])
    )
    top, parent = chain(2)
    set_grade(parent, gold)
    set_grade(top, gold)  # gold has no level-2 rate: top falls back to the plan at level 2

    order = buy(buyer_under(parent), (sku, 1))

    got = {c.level: (c.amount, c.rate_source) for c in Commission.objects.filter(order=order)}
    assert got == {1: (D("59.98"), "grade"), 2: (D("29.99"), "plan")}


def test_product_override_beats_grade_and_plan_per_level(sku):
    gold = grades.grade_save(
        grade=Grade(
            name="金牌",
            rank=10,
            rates=[{"level": 1, "percent": "20"}, {"level": 2, "percent": "12"}],
        )
    )
    grades.product_commission_set(product_id=sku.product_id, rates=[{"level": 2, "fixed": "8"}])
    plain = SkuFactory(price=D("100.00"), stock=100)
    top, parent = chain(2)
    set_grade(parent, gold)
    set_grade(top, gold)

    order = buy(buyer_under(parent), (sku, 2), (plain, 1))

    by_line = {
        (c.line.sku_id, c.level): (c.amount, c.rate_source)
        for c in Commission.objects.filter(order=order).select_related("line")
    }
    assert by_line == {
        (sku.pk, 1): (D("119.96"), "grade"),  # 599.80 × 20%: no level-1 override
        (sku.pk, 2): (D("16.00"), "product"),  # 2 × ¥8 beats the grade's 12%
        (plain.pk, 1): (D("20.00"), "grade"),
        (plain.pk, 2): (D("12.00"), "grade"),  # no override on this product
    }


def test_product_override_of_zero_pays_nothing_for_that_product(sku):
    grades.product_commission_set(
        product_id=sku.product_id,
        rates=[{"level": 1, "percent": "0"}, {"level": 2, "percent": "0"}],
    )
    top, parent = chain(2)
    order = buy(buyer_under(parent), (sku, 1))
    assert not Commission.objects.filter(order=order).exists()
    assert transactions("commission_accrue") == 0


# the base: what was paid (after discounts), or the profit


def test_base_is_what_the_line_paid_after_its_share_of_a_coupon():
    sku = SkuFactory(price=D("297.00"), stock=100)
    cheap = SkuFactory(price=D("87.89"), stock=100)
    top, parent = chain(2)
    buyer = buyer_under(parent)
    # a ¥34.99 coupon is an eleventh of the ¥384.89 order, so pricing takes an eleventh off
    # each line: ¥27.00 off the first, ¥7.99 off the second
    order = buy(buyer, (sku, 1), (cheap, 1), coupon=coupon_for(buyer, D("34.99")))
    assert order.total == D("349.90")
    assert [line.discount for line in order.lines.order_by("pk")] == [D("27.00"), D("7.99")]

    rows = {
        (c.line.sku_id, c.level): (c.base, c.amount)
        for c in Commission.objects.filter(order=order).select_related("line")
    }
    assert rows == {
        (sku.pk, 1): (D("270.00"), D("40.50")),
        (sku.pk, 2): (D("270.00"), D("27.00")),
        (cheap.pk, 1): (D("79.90"), D("11.98")),
        (cheap.pk, 2): (D("79.90"), D("7.99")),
    }
    assert_ledger_clean()


def test_profit_base_is_paid_less_cost(sku):
    plan_set(base="profit")
    loss = SkuFactory(price=D("50.00"), cost=D("60.00"), stock=10)
    top, parent = chain(2)
    order = buy(buyer_under(parent), (sku, 2), (loss, 1))
    rows = {
        (c.line.sku_id, c.level): (c.base, c.amount)
        for c in Commission.objects.filter(order=order).select_related("line")
    }
    # 599.80 − 2 × 100.00 = 399.80: 59.97 and 39.98; selling below cost earns nothing
    assert rows == {
        (sku.pk, 1): (D("399.80"), D("59.97")),
        (sku.pk, 2): (D("399.80"), D("39.98")),
    }
    assert {c.base_kind for c in Commission.objects.filter(order=order)} == {"profit"}


# the cap: levels together never above max_commission_share of what the line paid


def test_fixed_rates_are_capped_at_the_share_of_the_line():
    plan_set(
        max_commission_share="20",
        rates=[{"level": 1, "fixed": "15"}, {"level": 2, "fixed": "10"}],
    )
    top, parent = chain(2)
    order = buy(buyer_under(parent), (SkuFactory(price=D("100.00")), 1))
    # 20% of ¥100 is ¥20: level 1 takes 15, level 2 only the 5 left
    assert amounts_by_level(order) == {1: D("15.00"), 2: D("5.00")}


def test_cap_holds_when_a_grade_rate_was_set_under_a_higher_cap(sku):
    gold = grades.grade_save(
        grade=Grade(name="金牌", rank=10, rates=[{"level": 1, "percent": "45"}])
    )
    plan_set(levels=1, max_commission_share="30", rates=[{"level": 1, "percent": "15"}])
    (parent,) = chain(1)
    set_grade(parent, gold)
    order = buy(buyer_under(parent), (sku, 1))
    # 45% would be 134.95; the cap is 30% of 299.90 = 89.97
    assert amounts_by_level(order) == {1: D("89.97")}
    assert Commission.objects.get(order=order).share_cap == D("30")


# idempotency: a notification delivered twice, a service called twice


def test_the_same_notification_delivered_twice_pays_once(sku):
    top, parent = chain(2)
    buyer = buyer_under(parent)
    order = place(buyer, (sku, 1))
    from tests.distribution.flows import pay

    delivered = pay(order)
    before = (Commission.objects.count(), Transaction.objects.count(), Entry.objects.count())

    # a redelivery (WeChat retries until it sees a 2xx) is taken without any effect
    handled = payments.notification_handle(
        provider_name="sandbox", headers=delivered.headers, body=delivered.body
    )
    assert handled.redelivered

    assert (Commission.objects.count(), Transaction.objects.count(), Entry.objects.count()) == (
        before
    )
    assert PaymentNotification.objects.filter(event_type="TRANSACTION.SUCCESS").count() == 1
    assert balances(parent)["frozen"] == D("44.98")
    assert_ledger_clean()


def test_a_second_success_notification_for_a_paid_payment_changes_nothing(sku):
    from fenxiao.money import to_integer_fen
    from fenxiao.payments import providers
    from fenxiao.payments.models import Payment

    top, parent = chain(2)
    order = buy(buyer_under(parent), (sku, 1))
    payment = Payment.objects.get(order=order)
    # WeChat may notify again with a new notification id for the same transaction
    headers, body = providers.get("sandbox").payment_notification(
        out_trade_no=payment.out_trade_no, amount_cents=to_integer_fen(payment.amount)
    )
    payments.notification_handle(provider_name="sandbox", headers=headers, body=body)

    assert Commission.objects.filter(order=order).count() == 2
    assert transactions("commission_accrue") == 2
    assert balances(parent)["frozen"] == D("44.98")
    assert_ledger_clean()


def test_commissions_create_for_order_called_twice_creates_once(sku):
    top, parent = chain(2)
    order = buy(buyer_under(parent), (sku, 2), (SkuFactory(price=D("10.00")), 1))
    assert Commission.objects.filter(order=order).count() == 4

    again = commissions_create_for_order(order=order, now=timezone.now())

    assert again == []
    assert Commission.objects.filter(order=order).count() == 4
    assert transactions("commission_accrue") == 4
    for commission in Commission.objects.filter(order=order):
        assert transactions("commission_accrue", str(commission.pk)) == 1
    assert balances(parent)["frozen"] == D("89.97") + D("1.50")
    assert_ledger_clean()


def test_commissions_are_not_created_late_for_an_order_paid_without_inviter(sku):
    # the chain is snapshotted at payment: binding afterwards must not earn on that order,
    # even if the service runs again (a retried task)
    (parent,) = chain(1)
    buyer = UserFactory()
    order = buy(buyer, (sku, 1))
    assert bind_to(buyer, parent)

    commissions_create_for_order(order=order, now=timezone.now())

    assert not Commission.objects.filter(order=order).exists()
    assert balances(parent)["frozen"] == 0


def test_ledger_posts_once_per_event_kind_and_source():
    user = UserFactory()
    legs = [
        (ledger.user_key(user.pk, "frozen"), D("3.00")),
        ("platform:commission_expense", D("-3.00")),
    ]
    first = ledger.post(kind="commission_accrue", source_id="x-1", legs=legs)
    again = ledger.post(kind="commission_accrue", source_id="x-1", legs=legs)
    assert first is not None and again is None
    assert balances(user)["frozen"] == D("3.00")
    assert Entry.objects.filter(transaction=first).count() == 2
    # the same source under another kind is another event
    assert ledger.post(
        kind="commission_settle",
        source_id="x-1",
        legs=[
            (ledger.user_key(user.pk, "frozen"), D("-3.00")),
            (ledger.user_key(user.pk, "available"), D("3.00")),
        ],
    )
    assert balances(user) == {"frozen": D("0.00"), "available": D("3.00"), "withdrawing": 0}


def test_ledger_refuses_an_unbalanced_transaction():
    from fenxiao.ledger.errors import UnbalancedTransaction

    user = UserFactory()
    with pytest.raises(UnbalancedTransaction):
        ledger.post(
            kind="commission_accrue",
            source_id="bad",
            legs=[(ledger.user_key(user.pk, "frozen"), D("1.00"))],
        )
    assert not Transaction.objects.filter(source_id="bad").exists()
    assert balances(user)["frozen"] == 0


def test_a_disabled_account_in_the_chain_is_skipped_without_shifting(sku):
    top, parent = chain(2)
    buyer = buyer_under(parent)
    # staff disable the account in the console (the distributor profile stays "active")
    User.objects.filter(pk=parent.pk).update(is_active=False)
    order = buy(buyer, (sku, 1))
    assert amounts_by_level(order) == {2: D("29.99")}
    assert not OrderBeneficiary.objects.get(order=order, level=1).active


def test_the_buyer_is_snapshotted_at_level_0_as_a_distributor_now(sku):
    # grade and standing at payment: active with a grade, frozen, or no distributor at all
    gold = Grade.objects.create(name="金牌", rank=5)
    top = make_distributor()
    graded, frozen = make_distributor(inviter=top), make_distributor(inviter=top)
    Distributor.objects.filter(pk=graded.pk).update(grade=gold)
    Distributor.objects.filter(pk=frozen.pk).update(grade=gold, status=Distributor.Status.FROZEN)
    plain = buyer_under(top)

    rows = {
        who: OrderBeneficiary.objects.get(order=buy(who, (sku, 1)), level=0)
        for who in (graded, frozen, plain)
    }

    assert [(rows[w].user_id, rows[w].grade_id, rows[w].active) for w in rows] == [
        (graded.pk, gold.pk, True),
        (frozen.pk, gold.pk, False),
        (plain.pk, None, False),
    ]
    # and once only: the order's payment handled again writes nothing more
    order = rows[plain].order
    assert commissions_create_for_order(order=order, now=timezone.now()) == []
    assert OrderBeneficiary.objects.filter(order=order).count() == 2  # the buyer and top
