"""The distribution plan: read, validate, change (audited), and the compliance warnings."""

from decimal import Decimal

from django.db import connection, transaction

from fenxiao import db
from fenxiao.distribution import locks, rules
from fenxiao.distribution.errors import PlanInvalid, PyramidRuleRefused
from fenxiao.distribution.models import Plan, PlanChange, ProductCommission
from fenxiao.money import ZERO, yuan

FIELDS = [
    "mode",
    "levels",
    "rates",
    "bind_rule",
    "bind_on",
    "bind_days",
    "self_purchase",
    "freeze_days",
    "max_commission_share",
    "threshold_amount",
    "base",
    "tax_mode",
    "tax_rate",
    "auto_approve_below",
    "points_count_for_commission",
]
# Added after clients existed: a PUT or import without them keeps the stored values.
KEPT_WHEN_MISSING = ("tax_mode", "tax_rate", "auto_approve_below", "points_count_for_commission")
TAX_RATE_MESSAGE = "代扣比例须为 0 到 100 之间的百分比，最多 2 位小数"
AUTO_APPROVE_MESSAGE = "自动审核金额上限须为非负金额，最多 2 位小数（0 表示关闭自动审核）"
# Keys that would reward joining or recruiting rather than selling: refused outright.
PYRAMID_KEYS = {
    "entry_fee",
    "join_fee",
    "membership_fee",
    "deposit",
    "recruit_reward",
    "invite_reward",
    "referral_bonus",
    "signup_bonus",
    "recruit_bonus",
    "level_fee",
    "upgrade_fee",
}
THREE_LEVEL_WARNING = (
    "当前方案使用三级分销。微信平台规则仅明确允许一级 CPS 返佣，对多级分销审核严格，"
    "可能导致小程序被处罚；请确认合规后再使用。"
)


def plan_get() -> Plan:
    plan = db.read_one(Plan, "distribution_plan.id = 1", [])  # read by every purchase
    if plan is None:
        plan, _ = Plan.objects.get_or_create(pk=1, defaults={"rates": rules.DEFAULT_PLAN_RATES})
    return plan


def plan_with_overrides(product_ids) -> tuple[Plan, dict[int, list]]:
    """The plan, and the products' own rates (ProductCommission) by product id: one query
    for a paid order's commissions."""
    product_ids = set(product_ids)
    where, params = db.among("distribution_productcommission.product_id", product_ids, "bigint")
    sql = (
        f"SELECT {db.columns(Plan)}, {db.columns(ProductCommission)} FROM distribution_plan "
        f"LEFT JOIN distribution_productcommission ON {where} WHERE distribution_plan.id = 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:  # no plan saved yet: the default one, made now
        plan_get()
        return plan_with_overrides(product_ids)
    width = db.width(Plan)
    overrides = {}
    for row in rows:
        override = db.instance(ProductCommission, row[width:])
        if override is not None:
            overrides[override.product_id] = override.rates
    return db.instance(Plan, rows[0][:width]), overrides


def plan_as_dict(plan: Plan) -> dict:
    return {
        "mode": plan.mode,
        "levels": plan.levels,
        "rates": [r.as_dict() for r in rules.parse_rates(plan.rates, levels=3)],
        "bind_rule": plan.bind_rule,
        "bind_on": plan.bind_on,
        "bind_days": plan.bind_days,
        "self_purchase": plan.self_purchase,
        "freeze_days": plan.freeze_days,
        "max_commission_share": _plain(plan.max_commission_share),
        "threshold_amount": str(plan.threshold_amount),
        "base": plan.base,
        "tax_mode": plan.tax_mode,
        "tax_rate": _plain(plan.tax_rate),
        "auto_approve_below": str(yuan(plan.auto_approve_below)),
        "points_count_for_commission": plan.points_count_for_commission,
    }


def _plain(number: Decimal | int) -> str:
    # a plan just created by plan_get() still holds the model's int default (50)
    text = format(Decimal(number).normalize(), "f")
    return text


def plan_warnings(plan: Plan) -> list[str]:
    warnings = []
    if plan.levels > rules.max_levels():
        warnings.append(
            f"本部署（FENXIAO_MAX_LEVELS）限制最多 {rules.max_levels()} 级，超出的层级不计佣金"
        )
    if plan.levels >= 3:
        warnings.append(THREE_LEVEL_WARNING)
    if plan.levels > len(plan.rates):
        warnings.append(f"方案为 {plan.levels} 级，但只设置了 {len(plan.rates)} 级佣金")
    return warnings


def _choice(value, choices, what: str) -> str:
    if value not in {c for c, _ in choices}:
        raise PlanInvalid(f"{what} 须为 {' / '.join(c for c, _ in choices)} 之一")
    return value


def _whole(value, what: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise PlanInvalid(f"{what} 须为 {low} 到 {high} 之间的整数")
    return value


def _tax_rate(value, tax_mode: str) -> Decimal:
    rate = rules.decimal_of(value, "代扣比例")
    if not ZERO <= rate <= rules.HUNDRED or rate != rate.quantize(Decimal("0.01")):
        raise PlanInvalid(TAX_RATE_MESSAGE)
    if tax_mode == Plan.TaxMode.FLAT and rate == ZERO:
        raise PlanInvalid("按比例代扣个税时，代扣比例须大于 0")
    return rate


def _auto_approve_below(value) -> Decimal:
    amount = rules.decimal_of(value, "自动审核金额上限")
    try:
        amount = yuan(amount)
    except ValueError as exc:
        raise PlanInvalid(AUTO_APPROVE_MESSAGE) from exc
    if amount < 0 or amount >= Decimal("1e10"):
        raise PlanInvalid(AUTO_APPROVE_MESSAGE)
    return amount


def plan_validate(data: dict) -> dict:
    """Turn a submitted plan into clean field values, or raise with a clear message."""
    if not isinstance(data, dict):
        raise PlanInvalid("分销方案须为 JSON 对象")
    pyramid = PYRAMID_KEYS & set(data)
    if pyramid:
        raise PyramidRuleRefused(
            f"不允许设置 {', '.join(sorted(pyramid))}：分销只能按真实销售计佣，"
            "不得收取入门费或按拉人头发放奖励"
        )
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise PlanInvalid(f"未知的方案字段: {', '.join(sorted(unknown))}")
    missing = [f for f in FIELDS if f not in data]
    if missing:
        raise PlanInvalid(f"缺少方案字段: {', '.join(missing)}")
    levels = rules.check_levels(data["levels"])
    share = rules.decimal_of(data["max_commission_share"], "佣金上限")
    if not ZERO <= share <= rules.HUNDRED:
        raise PlanInvalid("佣金上限须在 0 到 100 之间")
    threshold = rules.decimal_of(data["threshold_amount"], "消费门槛")
    try:
        threshold = yuan(threshold)
    except ValueError as exc:
        raise PlanInvalid("消费门槛须为非负金额，最多 2 位小数") from exc
    if threshold < 0:
        raise PlanInvalid("消费门槛须为非负金额，最多 2 位小数")
    for switch in ("self_purchase", "points_count_for_commission"):
        if not isinstance(data[switch], bool):
            raise PlanInvalid(f"{switch} 须为 true 或 false")
    rates = rules.parse_rates(data["rates"], levels=levels, share=share)
    tax_mode = _choice(data["tax_mode"], Plan.TaxMode.choices, "个税代扣方式")
    return {
        "mode": _choice(data["mode"], Plan.Mode.choices, "mode"),
        "levels": levels,
        "rates": [r.as_dict() for r in rates],
        "bind_rule": _choice(data["bind_rule"], Plan.BindRule.choices, "bind_rule"),
        "bind_on": _choice(data["bind_on"], Plan.BindOn.choices, "bind_on"),
        "bind_days": _whole(data["bind_days"], "绑定有效天数", 1, 3650),
        "self_purchase": data["self_purchase"],
        "freeze_days": _whole(data["freeze_days"], "冻结天数", 0, 365),
        "max_commission_share": share,
        "threshold_amount": threshold,
        "base": _choice(data["base"], Plan.Base.choices, "base"),
        "tax_mode": tax_mode,
        "tax_rate": _tax_rate(data["tax_rate"], tax_mode),
        "auto_approve_below": _auto_approve_below(data["auto_approve_below"]),
        "points_count_for_commission": data["points_count_for_commission"],
    }


@transaction.atomic
def plan_update(*, data: dict, staff=None, source: str = "api") -> Plan:
    """Replace the plan; the change and who made it are recorded in the same transaction."""
    plan = locks.plan_for_update() or plan_get()
    before = plan_as_dict(plan)
    if isinstance(data, dict):
        data = {**{f: before[f] for f in KEPT_WHEN_MISSING}, **data}
    clean = plan_validate(data)
    for field, value in clean.items():
        setattr(plan, field, value)
    plan.updated_by = staff
    plan.save()
    after = plan_as_dict(plan)
    if after != before:
        PlanChange.objects.create(changed_by=staff, source=source, before=before, after=after)
    return plan
