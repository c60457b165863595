"""The order list as the console and `fenxiao report orders` export it."""

from fenxiao.exports import Column, Export, label
from fenxiao.orders.models import Order


def _address(province, city, district, detail) -> str:
    return " ".join(part for part in (province, city, district, detail) if part)


ORDERS = Export(
    name="orders",
    title="订单",
    model=Order,
    date_field="created_at",
    columns=(
        Column("订单号", ("number",)),
        Column("状态", ("status",), make=label(Order.Status.choices)),
        Column("买家手机号", ("buyer__phone",)),
        Column("商品金额", ("goods_amount",), "money"),
        Column("优惠", ("discount_amount",), "money"),
        Column("运费", ("shipping_fee",), "money"),
        Column("使用积分", ("points_used",), "int"),
        Column("实付金额", ("total",), "money"),
        Column("已退款", ("refunded_amount",), "money"),
        Column("收货人", ("ship_name",)),
        Column("电话", ("ship_phone",)),
        Column(
            "收货地址",
            ("ship_province", "ship_city", "ship_district", "ship_detail"),
            make=_address,
        ),
        Column("快递公司", ("carrier",)),
        Column("快递单号", ("tracking_no",)),
        Column("下单时间", ("created_at",), "time"),
        Column("支付时间", ("paid_at",), "time"),
        Column("发货时间", ("shipped_at",), "time"),
        Column("完成时间", ("completed_at",), "time"),
    ),
)
