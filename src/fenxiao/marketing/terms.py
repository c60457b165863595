"""What pricing needs to know, as plain values: the items of a would-be order and the terms
of each promotion, coupon and points rule that may apply. Apps fill these from their models;
`marketing.pricing.price` turns them into a quote without touching the database."""

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Item:
    """One order line before discounts; `key` identifies it in the quote (the SKU id)."""

    key: int
    product_id: int
    category_id: int | None
    unit_price: Decimal
    quantity: int

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Scope:
    """Which items a promotion or coupon covers: everything, or some categories or products."""

    everything: bool = True
    category_ids: frozenset[int] = field(default_factory=frozenset)
    product_ids: frozenset[int] = field(default_factory=frozenset)

    def covers(self, item: Item) -> bool:
        return (
            self.everything
            or item.product_id in self.product_ids
            or (item.category_id is not None and item.category_id in self.category_ids)
        )


@dataclass(frozen=True)
class PromotionTerms:
    """满减: the best tier whose threshold the covered items reach takes `amount` off."""

    id: int
    name: str
    tiers: tuple[tuple[Decimal, Decimal], ...]  # (threshold, amount off)
    scope: Scope
    stack_with_coupon: bool = True


@dataclass(frozen=True)
class CouponTerms:
    """One of the buyer's coupons. kind: amount_off (满X减Y), percent_off (capped by max_off),
    no_threshold (amount off, threshold 0)."""

    user_coupon_id: int
    name: str
    kind: str
    scope: Scope
    amount: Decimal = Decimal("0")
    percent: Decimal = Decimal("0")
    max_off: Decimal | None = None
    threshold: Decimal = Decimal("0")


@dataclass(frozen=True)
class PointsTerms:
    """Points the buyer owns and wants to use; `per_yuan` points are worth ¥1, and at most
    `max_share_percent` of what is left to pay after other discounts may be paid in points."""

    balance: int
    requested: int
    per_yuan: int
    max_share_percent: Decimal


@dataclass(frozen=True)
class Discount:
    kind: str  # full_reduction | coupon | points
    name: str
    amount: Decimal
    source_id: int | None = None


@dataclass(frozen=True)
class Quote:
    items_total: Decimal
    discounts: tuple[Discount, ...]
    freight: Decimal
    points_used: int
    total: Decimal  # payable: items_total - discounts + freight
    # per item key: its share of every discount and what is left of it (paid), to the fen
    line_discount: dict[int, Decimal]
    line_paid: dict[int, Decimal]
    # per item key: the part of line_discount that points paid (commission may count it)
    line_points: dict[int, Decimal] = field(default_factory=dict)
