"""WeChat Pay's daily bills as CSV: the trade bill (交易账单, type ALL) and the fund-flow bill
(资金账单). The sandbox writes them, reconciliation reads them, the same format both ways.

A bill is a header row, detail rows whose every field starts with a backtick (so Excel keeps
long numbers), then a summary header row and one summary row, also backticked.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from fenxiao.money import ZERO, parse_decimal, yuan
from fenxiao.payments.errors import BillMalformed

TRADE_COLUMNS = [
    "交易时间",
    "公众账号ID",
    "商户号",
    "特约商户号",
    "设备号",
    "微信订单号",
    "商户订单号",
    "用户标识",
    "交易类型",
    "交易状态",
    "付款银行",
    "货币种类",
    "应结订单金额",
    "代金券金额",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
]
TRADE_SUMMARY = [
    "总交易单数",
    "应结订单总金额",
    "退款总金额",
    "充值券退款总金额",
    "手续费总金额",
    "订单总金额",
    "申请退款总金额",
]
FUNDFLOW_COLUMNS = [
    "记账时间",
    "微信支付业务单号",
    "资金流水单号",
    "业务名称",
    "业务类型",
    "收支类型",
    "收支金额(元)",
    "账户结余(元)",
    "资金变更提交申请人",
    "备注",
    "业务凭证号",
]
FUNDFLOW_SUMMARY = ["资金流水总笔数", "收入笔数", "收入金额", "支出笔数", "支出金额"]

# the columns reconciliation reads (older bills lack some of the others)
TRADE_READ = ["交易时间", "微信订单号", "商户订单号", "交易状态", "订单金额"]
TRADE_READ += ["商户退款单号", "申请退款金额"]
FUNDFLOW_READ = ["微信支付业务单号", "业务名称", "收支类型", "收支金额(元)", "业务凭证号"]

# 业务名称 of merchant transfers (商家转账; "企业付款" in older bills)
TRANSFER_BUSINESS_NAMES = {"商家转账", "企业付款"}


@dataclass(frozen=True)
class TradeLine:
    """One line of a trade bill: a payment (SUCCESS) or a refund started (REFUND)."""

    time: datetime
    appid: str
    mchid: str
    transaction_id: str
    out_trade_no: str
    openid: str
    state: str  # SUCCESS or REFUND
    amount: Decimal  # the payment's amount (订单金额); zero on refund lines
    refund_id: str = ""
    out_refund_no: str = ""
    refund_amount: Decimal = ZERO
    description: str = ""


@dataclass(frozen=True)
class FundLine:
    """One line of a fund-flow bill: money in or out of the merchant's basic account."""

    time: datetime
    business_no: str  # WeChat's number of the payment, refund or transfer
    business_name: str  # 交易, 退款, 商家转账, ...
    income: bool
    amount: Decimal
    voucher_no: str  # ours: out_trade_no, out_refund_no or out_bill_no


@dataclass(frozen=True)
class Bill:
    rows: list[dict[str, str]]
    summary: dict[str, str]


def day_bounds(bill_date: date) -> tuple[datetime, datetime]:
    """The bill's day as [start, end) in the shop's time zone (Asia/Shanghai, as WeChat's)."""
    start = timezone.make_aware(datetime.combine(bill_date, time.min))
    return start, timezone.make_aware(datetime.combine(bill_date + timedelta(days=1), time.min))


def _text(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def _money(value: Decimal) -> str:
    return f"{yuan(value):.2f}"


def _csv(header: list[str], rows: list[list[str]], summary_header, summary) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([["`" + field for field in row] for row in rows])
    writer.writerow(summary_header)
    writer.writerow(["`" + field for field in summary])
    return out.getvalue().encode()


def trade_bill_csv(lines: list[TradeLine]) -> bytes:
    rows = []
    for line in lines:
        refund = line.state == "REFUND"
        rows.append(
            [
                _text(line.time),
                line.appid,
                line.mchid,
                "0",
                "",
                line.transaction_id,
                line.out_trade_no,
                line.openid,
                "JSAPI",
                line.state,
                "OTHERS",
                "CNY",
                _money(line.amount),
                "0.00",
                line.refund_id if refund else "0",
                line.out_refund_no if refund else "0",
                _money(line.refund_amount),
                "0.00",
                "ORIGINAL" if refund else "",
                "SUCCESS" if refund else "",
                line.description,
                "",
                "0.00",
                "0.00%",
                _money(line.amount),
                _money(line.refund_amount),
                "",
            ]
        )
    paid = sum((line.amount for line in lines), ZERO)
    refunded = sum((line.refund_amount for line in lines), ZERO)
    summary = [str(len(lines)), _money(paid), _money(refunded), "0.00", "0.00"]
    summary += [_money(paid), _money(refunded)]
    return _csv(TRADE_COLUMNS, rows, TRADE_SUMMARY, summary)


def fundflow_bill_csv(lines: list[FundLine]) -> bytes:
    rows, balance = [], ZERO
    for number, line in enumerate(lines, start=1):
        balance += line.amount if line.income else -line.amount
        rows.append(
            [
                _text(line.time),
                line.business_no,
                f"{timezone.localtime(line.time):%Y%m%d}{number:010d}",
                line.business_name,
                line.business_name,
                "收入" if line.income else "支出",
                _money(line.amount),
                _money(balance),
                "system",
                "",
                line.voucher_no,
            ]
        )
    incomes = [line.amount for line in lines if line.income]
    expenses = [line.amount for line in lines if not line.income]
    summary = [str(len(lines)), str(len(incomes)), _money(sum(incomes, ZERO))]
    summary += [str(len(expenses)), _money(sum(expenses, ZERO))]
    return _csv(FUNDFLOW_COLUMNS, rows, FUNDFLOW_SUMMARY, summary)


def _field(value: str) -> str:
    value = value.strip()
    return value[1:] if value.startswith("`") else value


def _parse(data: bytes, *, columns: list[str], summary_first: str) -> Bill:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BillMalformed("账单不是 UTF-8 文本") from exc
    rows = [[_field(v) for v in row] for row in csv.reader(io.StringIO(text)) if any(row)]
    if not rows:
        return Bill(rows=[], summary={})
    header = rows[0]
    missing = [name for name in columns if name not in header]
    if missing:
        raise BillMalformed("账单缺少字段: " + "、".join(missing))
    ends = [i for i, row in enumerate(rows) if row[0] == summary_first]
    if not ends or ends[0] + 1 >= len(rows):
        raise BillMalformed("账单缺少汇总行")
    end = ends[0]
    details = rows[1:end]
    if any(len(row) < len(header) for row in details):
        raise BillMalformed("账单明细行字段不全")
    summary = dict(zip(rows[end], rows[end + 1], strict=False))
    try:
        count = parse_decimal(summary[summary_first])
    except ValueError as exc:
        raise BillMalformed("账单汇总行格式错误") from exc
    if count != len(details):
        raise BillMalformed(f"账单汇总笔数 {summary[summary_first]} 与明细 {len(details)} 行不符")
    return Bill(rows=[dict(zip(header, row, strict=False)) for row in details], summary=summary)


def parse_trade_bill(data: bytes) -> Bill:
    return _parse(data, columns=TRADE_READ, summary_first=TRADE_SUMMARY[0])


def parse_fundflow_bill(data: bytes) -> Bill:
    return _parse(data, columns=FUNDFLOW_READ, summary_first=FUNDFLOW_SUMMARY[0])


def amount_of(row: dict[str, str], column: str) -> Decimal:
    """An amount of a bill line, exactly; a malformed one makes the whole bill refused."""
    try:
        return yuan(row[column] or "0")
    except ValueError as exc:
        raise BillMalformed(f"账单金额格式错误: {column}={row[column]!r}") from exc
