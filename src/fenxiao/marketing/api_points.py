"""The buyer's points: GET /me/points (balance, the rule the client shows, recent entries)."""

from datetime import datetime
from decimal import Decimal

from ninja import Query, Router, Schema

from fenxiao.api_docs import one_of
from fenxiao.marketing import points
from fenxiao.marketing.models import PointsEntry
from fenxiao.pagination import PageFilters, paginate

router = Router(tags=["points"])


PointsKind = one_of(PointsEntry.Kind)


class PointsRuleOut(Schema):
    enabled: bool
    earn_per_yuan: int
    per_yuan: int
    max_share_percent: Decimal
    expire_at_year_end: bool


class PointsEntryOut(Schema):
    id: int
    kind: PointsKind
    kind_label: str
    delta: int
    order_number: str
    note: str
    created_at: datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()


class PointsOut(Schema):
    balance: int
    rule: PointsRuleOut
    count: int
    page: int
    page_size: int
    items: list[PointsEntryOut]


@router.get("/me/points", response=PointsOut, summary="我的积分")
def my_points(request, filters: Query[PageFilters]):
    user_id = request.auth.pk
    entries = paginate(points.points_entries_of(user_id=user_id), filters)
    return {
        "balance": points.points_balance(user_id=user_id),
        "rule": points.points_rule(),
        **entries,
    }
