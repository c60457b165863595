"""Withdrawals as the console and `fenxiao report withdrawals` export them."""

from fenxiao.exports import Column, Export, label
from fenxiao.payouts.models import Withdrawal

WITHDRAWALS = Export(
    name="withdrawals",
    title="提现记录",
    model=Withdrawal,
    date_field="created_at",
    columns=(
        Column("编号", ("id",), "int"),
        Column("手机号", ("user__phone",)),
        Column("昵称", ("user__nickname",)),
        Column("渠道", ("channel",), make=label(Withdrawal.Channel.choices)),
        Column("提现金额", ("amount",), "money"),
        Column("手续费", ("fee",), "money"),
        Column("代扣税", ("tax",), "money"),
        Column("实付金额", ("net",), "money"),
        Column("状态", ("status",), make=label(Withdrawal.Status.choices)),
        Column("原因", ("reason",)),
        Column("打款凭证号", ("paid_reference",)),
        Column("申请时间", ("created_at",), "time"),
        Column("审核时间", ("reviewed_at",), "time"),
        Column("打款时间", ("paid_at",), "time"),
    ),
)
