"""Input and output of the coupon API; amounts are decimal strings in yuan."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from fenxiao.api_docs import one_of
from fenxiao.marketing.models import Coupon
from fenxiao.pagination import PageFilters

CouponKind = one_of(Coupon.Kind)
CouponStatus = one_of(Coupon.Status)

Id = Annotated[int, Field(ge=1, le=2**63 - 1, strict=True)]
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("9999999.99"), decimal_places=2)]
Ids = Annotated[list[Id], Field(min_length=1, max_length=500)]


class CategoryScope(Schema):
    category_ids: Ids


class ProductScope(Schema):
    product_ids: Ids


class CouponIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    kind: Literal["amount_off", "percent_off", "no_threshold"]
    amount: Amount = Decimal("0")
    percent: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)] = Decimal("0")
    max_off: Amount | None = None
    threshold: Amount = Decimal("0")
    scope: Literal["all"] | CategoryScope | ProductScope = "all"
    total: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    per_user: Annotated[int, Field(ge=1, le=100)] = 1
    valid_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    claimable: bool = True
    for_new_users: bool = False
    shareable: bool = False

    def model_fields_for_create(self) -> dict:
        fields = self.dict(exclude={"scope"})
        if isinstance(self.scope, CategoryScope):
            fields.update(
                scope_kind="categories", category_ids=sorted(set(self.scope.category_ids))
            )
        elif isinstance(self.scope, ProductScope):
            fields.update(scope_kind="products", product_ids=sorted(set(self.scope.product_ids)))
        else:
            fields.update(scope_kind="all")
        return fields


class CouponOut(Schema):
    id: int
    name: str
    kind: CouponKind
    amount: Decimal
    percent: Decimal
    max_off: Decimal | None
    threshold: Decimal
    scope: str | dict
    valid_from: datetime | None
    valid_to: datetime | None
    valid_days: int | None
    total: int | None
    per_user: int
    claimable: bool
    for_new_users: bool
    shareable: bool
    status: CouponStatus

    @staticmethod
    def resolve_scope(coupon) -> str | dict:
        if coupon.scope_kind == "categories":
            return {"category_ids": coupon.category_ids}
        if coupon.scope_kind == "products":
            return {"product_ids": coupon.product_ids}
        return "all"


class StaffCouponOut(CouponOut):
    issued: int
    used: int
    sales: Decimal = Decimal("0.00")
    created_at: datetime


class AvailableCouponOut(CouponOut):
    claimed: int  # how many of it this buyer holds
    can_claim: bool
    sold_out: bool


class UserCouponOut(Schema):
    id: int  # the buyer's coupon: what orders take as coupon_id
    coupon: CouponOut
    status: Literal["unused", "locked", "used", "expired"]
    valid_from: datetime
    valid_to: datetime
    source: str
    order_number: str
    received_at: datetime
    used_at: datetime | None


class MyCouponFilters(PageFilters):
    status: Literal["unused", "locked", "used", "expired"] | None = None


class ClaimIn(Schema):
    ref: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = None


class IssueIn(Schema):
    user_ids: Annotated[list[Id], Field(min_length=1, max_length=1000)]


class IssueOut(Schema):
    issued: int
    skipped: list[int]
    unknown: list[int]


class ShareOut(Schema):
    coupon_id: int
    ref: str
    url: str


class SharedCouponOut(Schema):
    coupon: CouponOut
    ref: str
    url: str  # the distributor's link to it


class TierOut(Schema):
    threshold: Decimal
    amount: Decimal


class PromotionBrief(Schema):
    id: int
    name: str
    tiers: list[TierOut]

    @staticmethod
    def resolve_tiers(terms) -> list[dict]:
        return [{"threshold": t, "amount": a} for t, a in terms.tiers]


class ProductOffersOut(Schema):
    promotions: list[PromotionBrief]  # 满减 covering the product, as a product page lists them
    coupons: list[AvailableCouponOut]  # coupons to claim that apply to it
