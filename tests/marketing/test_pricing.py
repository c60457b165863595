"""The pure pricing step: worked cases to the fen and properties for any items and terms."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.distribution.rules import Rate, line_amounts
from fenxiao.marketing.errors import CouponNotApplicable
from fenxiao.marketing.pricing import allocate, price
from fenxiao.marketing.terms import CouponTerms, Item, PointsTerms, PromotionTerms, Scope

D = Decimal
EVERYTHING = Scope()


def item(key, unit_price, quantity=1, product_id=None, category_id=None) -> Item:
    return Item(
        key=key,
        product_id=product_id or key,
        category_id=category_id,
        unit_price=D(unit_price),
        quantity=quantity,
    )


def full_reduction(pid=1, tiers=(("200", "20"),), scope=EVERYTHING, stack=True):
    return PromotionTerms(
        id=pid,
        name=f"满减{pid}",
        tiers=tuple((D(t), D(a)) for t, a in tiers),
        scope=scope,
        stack_with_coupon=stack,
    )


def amount_off(amount, threshold="0", scope=EVERYTHING) -> CouponTerms:
    return CouponTerms(
        user_coupon_id=7,
        name=f"{amount}元券",
        kind="amount_off",
        scope=scope,
        amount=D(amount),
        threshold=D(threshold),
    )


def test_the_worked_case_199_and_100_90_under_200_off_20_and_a_10_yuan_coupon():
    # given two lines, 满200减20 over everything and a ¥10 coupon
    items = [item(1, "199.00"), item(2, "100.90")]

    quote = price(items, promotions=[full_reduction()], coupon=amount_off("10"))

    # then the buyer pays ¥269.90 and the lines add up to it
    assert quote.items_total == D("299.90")
    assert [(d.kind, d.amount) for d in quote.discounts] == [
        ("full_reduction", D("20")),
        ("coupon", D("10")),
    ]
    assert quote.total == D("269.90")
    # 满减 ¥20 split 13.27 / 6.73 (the 1-fen remainder to the larger fraction: 672.89 over 1327.11),
    # then the coupon over what is left, 185.73 / 94.17: 6.64 / 3.36
    assert quote.line_discount == {1: D("19.91"), 2: D("10.09")}
    assert quote.line_paid == {1: D("179.09"), 2: D("90.81")}
    assert sum(quote.line_paid.values()) == quote.total
    # and the level-1 commission at 15% is computed per line on those paid amounts
    rate = [Rate(level=1, kind="percent", value=D("15"))]
    commissions = [
        line_amounts(paid=paid, base=paid, quantity=1, rates=rate, share=D("50"))[1]
        for paid in quote.line_paid.values()
    ]
    assert commissions == [D("26.86"), D("13.62")]  # 179.09 × 15% = 26.8635, 90.81 → 13.6215


def test_the_best_tier_applies_and_nothing_below_the_first():
    tiers = (("100", "10"), ("200", "30"))
    assert price([item(1, "99.99")], promotions=[full_reduction(tiers=tiers)]).total == D("99.99")
    assert price([item(1, "150")], promotions=[full_reduction(tiers=tiers)]).total == D("140")
    assert price([item(1, "250")], promotions=[full_reduction(tiers=tiers)]).total == D("220")


def test_a_promotion_counts_only_the_items_in_its_scope():
    shoes = Scope(everything=False, category_ids=frozenset({5}))
    items = [item(1, "150", category_id=5), item(2, "150", category_id=6)]

    quote = price(items, promotions=[full_reduction(tiers=(("200", "20"),), scope=shoes)])

    assert quote.total == D("300")  # the shoes alone do not reach ¥200
    items = [item(1, "150", quantity=2, category_id=5), item(2, "150", category_id=6)]
    quote = price(items, promotions=[full_reduction(tiers=(("200", "20"),), scope=shoes)])
    assert quote.line_discount == {1: D("20"), 2: D("0")}


def test_a_promotion_that_does_not_stack_keeps_the_coupon_off_its_items():
    items = [item(1, "200", product_id=1), item(2, "50", product_id=2)]
    only_first = Scope(everything=False, product_ids=frozenset({1}))
    promo = full_reduction(scope=only_first, stack=False)

    quote = price(items, promotions=[promo], coupon=amount_off("10"))

    # the coupon falls on the second item only
    assert quote.line_discount == {1: D("20"), 2: D("10")}
    assert quote.total == D("220")
    # and a coupon whose threshold only the barred item reaches does not apply
    with pytest.raises(CouponNotApplicable, match="门槛"):
        price(items, promotions=[promo], coupon=amount_off("10", threshold="100"))


def test_the_coupon_threshold_is_checked_after_promotions():
    items = [item(1, "205")]
    # ¥205 − ¥20 = ¥185 left: a 满200 coupon no longer applies
    with pytest.raises(CouponNotApplicable):
        price(items, promotions=[full_reduction()], coupon=amount_off("15", threshold="200"))
    assert price(items, coupon=amount_off("15", threshold="200")).total == D("190")


def test_a_percent_coupon_is_truncated_and_capped():
    coupon = CouponTerms(
        user_coupon_id=1,
        name="9折券",
        kind="percent_off",
        scope=EVERYTHING,
        percent=D("10"),
        max_off=D("20"),
    )
    assert price([item(1, "99.99")], coupon=coupon).total == D("90.00")  # 9.999 → 9.99
    assert price([item(1, "500")], coupon=coupon).total == D("480")


def test_points_are_worth_whole_fen_capped_by_share_balance_and_request():
    items = [item(1, "100")]
    terms = PointsTerms(balance=5000, requested=5000, per_yuan=100, max_share_percent=D("10"))
    quote = price(items, points=terms)
    assert (quote.points_used, quote.total, quote.line_points) == (1000, D("90"), {1: D("10")})
    # 30 points = ¥1: only multiples of ¥0.10 (3 points) are whole fen for whole points
    terms = PointsTerms(balance=7, requested=7, per_yuan=30, max_share_percent=D("50"))
    quote = price(items, points=terms)
    assert (quote.points_used, quote.total) == (6, D("99.80"))  # 7 points: ¥0.23, kept ¥0.20


def test_freight_is_added_to_the_total_and_to_no_line():
    quote = price([item(1, "10")], freight=D("8"))
    assert quote.total == D("18") and quote.line_paid == {1: D("10")}


def test_allocation_gives_the_remainder_to_the_largest_fractions_ties_by_key():
    assert allocate(D("0.01"), {3: D("1"), 1: D("1"), 2: D("1")}) == {
        3: D("0"),
        1: D("0.01"),
        2: D("0"),
    }
    assert allocate(D("0.02"), {1: D("1"), 2: D("2")}) == {1: D("0.01"), 2: D("0.01")}


# properties

money = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2)
items_strategy = st.lists(
    st.tuples(money, st.integers(1, 5), st.integers(1, 4), st.integers(1, 3)),
    min_size=1,
    max_size=6,
).map(
    lambda rows: [
        item(key, p, quantity=q, product_id=prod, category_id=cat)
        for key, (p, q, prod, cat) in enumerate(rows, start=1)
    ]
)
scopes = st.one_of(
    st.just(EVERYTHING),
    st.sets(st.integers(1, 4), min_size=1).map(
        lambda ids: Scope(everything=False, product_ids=frozenset(ids))
    ),
    st.sets(st.integers(1, 3), min_size=1).map(
        lambda ids: Scope(everything=False, category_ids=frozenset(ids))
    ),
)


@st.composite
def tier_lists(draw):
    thresholds = sorted(draw(st.sets(money.filter(lambda m: m > 1), min_size=1, max_size=3)))
    return tuple((t, draw(st.decimals(D("0.01"), t - D("0.01"), places=2))) for t in thresholds)


promotions_strategy = st.lists(
    st.builds(
        lambda pid, tiers, scope, stack: PromotionTerms(
            id=pid, name="满减", tiers=tiers, scope=scope, stack_with_coupon=stack
        ),
        st.integers(1, 100),
        tier_lists(),
        scopes,
        st.booleans(),
    ),
    max_size=3,
    unique_by=lambda p: p.id,
)
coupons = st.one_of(
    st.none(),
    st.builds(
        lambda amount, threshold, scope: amount_off(amount, threshold, scope),
        money,
        st.sampled_from(["0", "50", "300"]),
        scopes,
    ),
    st.builds(
        lambda pct, cap, scope: CouponTerms(
            user_coupon_id=2,
            name="折扣券",
            kind="percent_off",
            scope=scope,
            percent=pct,
            max_off=cap,
        ),
        st.decimals(D("1"), D("99"), places=0),
        st.one_of(st.none(), money),
        scopes,
    ),
)
points_strategy = st.one_of(
    st.none(),
    st.builds(
        PointsTerms,
        balance=st.integers(0, 10**6),
        requested=st.integers(0, 10**6),
        per_yuan=st.sampled_from([1, 3, 10, 30, 100, 250]),
        max_share_percent=st.decimals(D("0"), D("100"), places=0),
    ),
)


@given(items_strategy, promotions_strategy, coupons, points_strategy, money)
def test_any_quote_adds_up_and_no_discount_takes_more_than_it_covers(
    items, promotions, coupon, points, freight
):
    try:
        quote = price(items, promotions=promotions, coupon=coupon, points=points, freight=freight)
    except CouponNotApplicable:
        quote = price(items, promotions=promotions, points=points, freight=freight)
        coupon = None
    amounts = {i.key: i.amount for i in items}
    # lines add up to the payable total minus freight; none negative
    assert sum(quote.line_paid.values()) == quote.total - freight
    assert all(paid >= 0 for paid in quote.line_paid.values())
    for key, amount in amounts.items():
        assert quote.line_paid[key] + quote.line_discount[key] == amount
        assert quote.line_paid[key] == quote.line_paid[key].quantize(D("0.01"))
    assert sum(d.amount for d in quote.discounts) == quote.items_total - quote.total + freight
    # each promotion takes at most its best tier and never more than the items it covers
    for discount in quote.discounts:
        assert discount.amount > 0
        if discount.kind == "full_reduction":
            promo = next(p for p in promotions if p.id == discount.source_id)
            covered = sum((i.amount for i in items if promo.scope.covers(i)), D(0))
            assert discount.amount <= covered
            assert discount.amount <= max(a for t, a in promo.tiers if covered >= t)
        if discount.kind == "coupon":
            covered = sum((i.amount for i in items if coupon.scope.covers(i)), D(0))
            assert discount.amount <= covered
    # points: a whole number worth whole fen, within balance, request and share
    points_value = sum(quote.line_points.values(), D(0))
    if points is None:
        assert quote.points_used == 0 and points_value == 0
    else:
        assert quote.points_used <= min(points.balance, points.requested)
        assert points_value * points.per_yuan == quote.points_used
        before_points = quote.total - freight + points_value
        assert points_value <= before_points * points.max_share_percent / 100
    assert all(quote.line_points[k] <= quote.line_discount[k] for k in amounts)
    # commission on each line's paid amount stays within the plan's share of what it paid,
    # however steep the rates (a fixed rate per unit included)
    rates = [
        Rate(level=1, kind="percent", value=D("40")),
        Rate(level=2, kind="fixed", value=D("25.00")),
        Rate(level=3, kind="percent", value=D("30")),
    ]
    for item in items:
        paid = quote.line_paid[item.key]
        commission = line_amounts(
            paid=paid, base=paid, quantity=item.quantity, rates=rates, share=D("50")
        )
        assert all(amount >= 0 for amount in commission.values())
        assert sum(commission.values()) <= paid * D("0.5")
