from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from fenxiao.api_docs import one_of
from fenxiao.distribution.models import Commission, Distributor
from fenxiao.pagination import PageFilters

DistributorStatus = one_of(Distributor.Status)
ProfileStatus = one_of(Distributor.Status, "none")  # "none": not a distributor (yet)
CommissionStatus = one_of(Commission.Status)
# the ledger transactions that move a distributor's money: commissions and withdrawals
EntryKind = Literal[
    "commission_accrue",
    "commission_reverse",
    "commission_clawback",
    "commission_settle",
    "withdrawal_request",
    "withdrawal_paid",
    "withdrawal_return",
]


class VisitIn(Schema):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]
    product_id: int | None = None
    source: Literal["link", "poster", "product", "coupon"] = "link"


class VisitOut(Schema):
    bound: bool
    inviter_id: int | None


class ApplyIn(Schema):
    real_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class Balances(Schema):
    frozen: Decimal
    available: Decimal
    withdrawing: Decimal


class GradeOut(Schema):
    id: int
    name: str
    rank: int
    privileges: dict


class MeOut(Schema):
    id: int | None
    user_id: int
    status: ProfileStatus
    grade: GradeOut | None
    referral_code: str | None
    share_url: str | None
    inviter_id: int | None
    balances: Balances
    team_counts: dict[int, int]


class DistributorOut(Schema):
    id: int
    user_id: int
    phone: str | None
    nickname: str
    status: DistributorStatus
    grade: str
    referral_code: str
    real_name: str
    apply_reason: str
    review_note: str
    created_at: datetime
    activated_at: datetime | None


class ReviewIn(Schema):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class TeamMember(Schema):
    user_id: int
    nickname: str
    phone: str  # masked
    level: int
    joined_at: datetime  # when they were bound to the team
    bound_at: datetime  # the same time, under its older name
    distributor_status: DistributorStatus | None
    orders: int  # paid orders, not cancelled or fully refunded
    order_count: int  # the same count, under its older name
    sales: Decimal  # what they paid for those orders, less refunds
    team_size: int


class TeamFilters(Schema):
    level: Annotated[int, Field(ge=1, le=3)] = 1


class GradeRef(Schema):
    id: int
    name: str
    rank: int


class GradeNeed(Schema):
    label: str
    kind: Literal["amount", "count"]  # amount: yuan as a decimal string; count: people
    current: int | Decimal
    target: int | Decimal
    met: bool


class NextGrade(Schema):
    id: int
    name: str
    needs: list[GradeNeed]


class SummaryOut(Schema):
    status: ProfileStatus
    referral_code: str | None
    share_url: str | None
    earned_today: Decimal
    earned_month: Decimal
    earned_total: Decimal
    balances: Balances
    team_counts: dict[int, int]  # 1..N (keys are strings in JSON), N = the plan's levels ≤ 3
    grade: GradeRef | None
    next_grade: NextGrade | None


class PosterQuery(Schema):
    product_id: Annotated[int, Field(ge=1)]


class CommissionOut(Schema):
    id: int
    order_number: str
    product_name: str
    sku_id: int
    quantity: int
    level: int
    base: Decimal
    rate: str
    rate_kind: Literal["percent", "fixed"]
    original_amount: Decimal
    amount: Decimal
    status: CommissionStatus
    created_at: datetime
    settled_at: datetime | None

    @staticmethod
    def resolve_rate(obj):
        return format(obj.rate.normalize(), "f")


class CommissionFilters(PageFilters):
    status: CommissionStatus | None = None


class CommissionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CommissionOut]


class EntryOut(Schema):
    id: int
    account: str
    amount: Decimal
    kind: EntryKind
    memo: str
    created_at: datetime

    @staticmethod
    def resolve_account(obj):
        return obj.account.kind

    @staticmethod
    def resolve_kind(obj):
        return obj.transaction.kind

    @staticmethod
    def resolve_memo(obj):
        return obj.transaction.memo

    @staticmethod
    def resolve_created_at(obj):
        return obj.transaction.created_at


class EntryPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[EntryOut]


class PlanOut(Schema):
    mode: str
    levels: int
    rates: list[dict]
    bind_rule: str
    bind_on: str
    bind_days: int
    self_purchase: bool
    freeze_days: int
    max_commission_share: str
    threshold_amount: str
    base: str
    tax_mode: str  # none | flat | labor
    tax_rate: str  # percent, used by flat
    auto_approve_below: str  # yuan; withdrawals up to it are approved automatically, 0 = off
    points_count_for_commission: bool  # the part paid with points counts in the base
    max_levels: int
    warnings: list[str]
    updated_at: datetime | None


class PlanChangeOut(Schema):
    id: int
    changed_by_id: int | None
    changed_at: datetime
    source: str
    before: dict
    after: dict


class ProductCommissionOut(Schema):
    product_id: int
    rates: list[dict] | None  # None: the product follows the grade and plan rates


class StatsFilters(Schema):
    range: Literal["7d", "30d", "90d"] = "7d"


class StatsTotals(Schema):
    sales: Decimal  # what their own referrals paid (level 1), less refunds
    orders: int
    commission: Decimal  # earned at every level, after refunds
    new_members: int  # new level-1 team members


class StatsDay(Schema):
    date: date
    commission: Decimal
    # with the team_reports privilege only
    sales: Decimal | None = None
    orders: int | None = None
    new_members: int | None = None


class StatsLevel(Schema):
    level: int
    members: int
    sales: Decimal
    orders: int
    commission: Decimal


class StatsOut(Schema):
    days: int
    start: date
    end: date  # included
    totals: StatsTotals
    previous: StatsTotals  # the same number of days just before
    daily: list[StatsDay]
    advanced: bool  # the grade grants the advanced figures (privilege team_reports)
    levels: list[StatsLevel]  # per level of the team; empty without the privilege
    unlock_grade: str | None  # the lowest grade that grants them, for the hint
