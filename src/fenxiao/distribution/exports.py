"""Commissions and distributors as the console and `fenxiao report` export them."""

from decimal import Decimal

from fenxiao.distribution.models import Commission, Distributor
from fenxiao.exports import Column, Export, label


def _rate(kind, rate) -> str:
    return f"{Decimal(rate):.2f}%" if kind == "percent" else f"¥{Decimal(rate):.2f}/件"


COMMISSIONS = Export(
    name="commissions",
    title="佣金明细",
    model=Commission,
    date_field="created_at",
    columns=(
        Column("编号", ("id",), "int"),
        Column("分销商手机号", ("beneficiary__phone",)),
        Column("分销商昵称", ("beneficiary__nickname",)),
        Column("层级", ("level",), "int"),
        Column("订单号", ("order_number",)),
        Column("商品", ("product_name",)),
        Column("数量", ("quantity",), "int"),
        Column("佣金基数", ("base",), "money"),
        Column("比例/金额", ("rate_kind", "rate"), make=_rate),
        Column("原佣金", ("original_amount",), "money"),
        Column("佣金", ("amount",), "money"),
        Column("状态", ("status",), make=label(Commission.Status.choices)),
        Column("产生时间", ("created_at",), "time"),
        Column("结算时间", ("settled_at",), "time"),
    ),
)

DISTRIBUTORS = Export(
    name="distributors",
    title="分销商",
    model=Distributor,
    date_field="created_at",
    order_by=("user_id",),
    columns=(
        Column("用户编号", ("user_id",), "int"),
        Column("手机号", ("user__phone",)),
        Column("昵称", ("user__nickname",)),
        Column("真实姓名", ("real_name",)),
        Column("状态", ("status",), make=label(Distributor.Status.choices)),
        Column("等级", ("grade__name",)),
        Column("推广码", ("referral_code",)),
        Column("申请/加入时间", ("created_at",), "time"),
        Column("生效时间", ("activated_at",), "time"),
    ),
)
