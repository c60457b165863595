from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from fenxiao.api_docs import one_of
from fenxiao.catalog.models import StockMove
from fenxiao.media import MediaUrl

Price = Annotated[Decimal, Field(gt=0, le=Decimal("9999999.99"), decimal_places=2)]
Cost = Annotated[Decimal, Field(ge=0, le=Decimal("9999999.99"), decimal_places=2)]
Stock = Annotated[int, Field(ge=0, le=10_000_000, strict=True)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Status = Literal["on_shelf", "off_shelf", "draft"]
StockMoveKind = one_of(StockMove.Kind)
# bounded by the columns: beyond them the database fails instead of finding nothing
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Sort = Annotated[int, Field(ge=-1_000_000, le=1_000_000)]


class SkuIn(Schema):
    id: Id | None = None
    code: Annotated[str, StringConstraints(max_length=64)] = ""
    specs: Annotated[
        dict[Annotated[str, StringConstraints(min_length=1, max_length=20)], Text],
        Field(max_length=20),
    ] = {}
    price: Price
    stock: Stock
    cost: Cost = Decimal("0")


StockDelta = Annotated[int, Field(ge=-10_000_000, le=10_000_000, strict=True)]
StockReason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]


class SkuPatchIn(SkuIn):
    """A SKU in a PATCH. For a SKU that exists (by id) the stock changes only as asked:
    `stock` omitted → untouched; `stock_delta` + `stock_reason` → an adjustment (+n / −n);
    `stock` + `stock_version` (from the staff read) → an absolute set, refused with 409
    `stock_conflict` if the stock changed since; `stock` alone must equal the current stock.
    A new SKU (no id) needs `stock`, its initial stock."""

    stock: Stock | None = None
    stock_version: Annotated[int, Field(ge=0, le=2**31 - 1, strict=True)] | None = None
    stock_delta: StockDelta | None = None
    stock_reason: StockReason | None = None


class StockAdjustIn(Schema):
    delta: StockDelta
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class CommissionIn(Schema):
    """A product's own rates: [{"level": 1, "percent": "20"}] or [{"level": 1, "fixed": "5"}]."""

    rates: Annotated[list[dict], Field(max_length=3)]


class ProductIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    category_id: Id | None = None
    description: Annotated[str, StringConstraints(max_length=100_000)] = ""
    tagline: Text = ""
    selling_points: Annotated[list[Text], Field(max_length=20)] = []
    images: Annotated[
        list[Annotated[str, StringConstraints(max_length=300)]], Field(max_length=20)
    ] = []
    status: Status = "draft"
    sort: Sort = 0
    skus: Annotated[list[SkuIn], Field(min_length=1, max_length=200)]
    commission: CommissionIn | None = None
    freight_template_id: Id | None = None  # null: free shipping


class ProductPatch(Schema):
    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
        | None
    ) = None
    category_id: Id | None = None
    description: Annotated[str, StringConstraints(max_length=100_000)] | None = None
    tagline: Text | None = None
    selling_points: Annotated[list[Text], Field(max_length=20)] | None = None
    images: (
        Annotated[list[Annotated[str, StringConstraints(max_length=300)]], Field(max_length=20)]
        | None
    ) = None
    status: Status | None = None
    sort: Sort | None = None
    skus: Annotated[list[SkuPatchIn], Field(min_length=1, max_length=200)] | None = None
    commission: CommissionIn | None = None
    freight_template_id: Id | None = None  # null: free shipping


class CategoryRef(Schema):
    id: int
    name: str


class SkuOut(Schema):
    id: int
    code: str
    specs: dict
    price: Decimal
    stock: int


class StaffSkuOut(SkuOut):
    cost: Decimal
    is_active: bool
    stock_version: int


class StockMoveOut(Schema):
    id: int
    sku_id: int
    kind: StockMoveKind
    kind_label: str
    delta: int
    stock_after: int
    reason: str
    order_number: str
    staff_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()


class ProductCard(Schema):
    id: int
    name: str
    tagline: str
    selling_points: list[str]
    category: CategoryRef | None
    image: MediaUrl | None
    price: Decimal | None
    sales: int


class ProductOut(Schema):
    id: int
    name: str
    category: CategoryRef | None
    description: str
    tagline: str
    selling_points: list[str]
    images: list[MediaUrl]
    status: Status
    sales: int
    skus: list[SkuOut]


class StaffProductOut(ProductOut):
    sort: int
    freight_template_id: int | None
    commission: dict | None = None
    skus: list[StaffSkuOut]


class CategoryIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    parent_id: Id | None = None
    sort: Sort = 0


class CategoryOut(Schema):
    id: int
    name: str
    parent_id: int | None
    sort: int


class CategoryNode(CategoryOut):
    children: list[CategoryOut]


class UploadOut(Schema):
    path: str
    url: MediaUrl


Units = Annotated[int, Field(ge=1, le=10_000, strict=True)]
Fee = Annotated[Decimal, Field(ge=0, le=Decimal("99999.99"), decimal_places=2)]
ProvinceName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Provinces = Annotated[list[ProvinceName], Field(max_length=34)]


class FreightChargeIn(Schema):
    first_units: Units = 1
    first_fee: Fee
    additional_units: Units = 1
    additional_fee: Fee


class FreightRuleIn(FreightChargeIn):
    provinces: Annotated[list[ProvinceName], Field(min_length=1, max_length=34)]


class FreightTemplateIn(FreightChargeIn):
    """A template: the default charge, per-province rules, provinces not delivered to."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    free_above: Price | None = None  # null: never free
    no_delivery: Provinces = []
    rules: Annotated[list[FreightRuleIn], Field(max_length=34)] = []


class FreightRuleOut(Schema):
    provinces: list[str]
    first_units: int
    first_fee: Decimal
    additional_units: int
    additional_fee: Decimal


class FreightTemplateOut(Schema):
    id: int
    name: str
    first_units: int
    first_fee: Decimal
    additional_units: int
    additional_fee: Decimal
    free_above: Decimal | None
    no_delivery: list[str]
    rules: list[FreightRuleOut]
    products_count: int
