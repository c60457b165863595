"""The distribution console as a merchant uses it: the plan (validated, audited, with its
compliance warnings), grades, distributors with their team and ledger, review actions,
commission lines, the ledger pages, and which staff role may do what."""

import json
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fenxiao.accounts.models import User
from fenxiao.demo import load_demo
from fenxiao.distribution.models import (
    Commission,
    Distributor,
    Grade,
    Plan,
    PlanChange,
    ProductCommission,
)
from fenxiao.distribution.services import binding, distributors
from fenxiao.distribution.services.grades import grade_save
from fenxiao.distribution.services.plan import plan_as_dict, plan_get, plan_update
from fenxiao.ledger import selectors as ledger_selectors
from fenxiao.orders.models import Order
from fenxiao.payments.services import refund_approve
from tests.accounts.factories import UserFactory
from tests.console.conftest import Shop, ask_refund, pay, place, rate_rows
from tests.console.test_admin import act, messages_of, result_rows

pytestmark = pytest.mark.django_db

PLAN_PAGE = reverse("admin:distribution_plan_change", args=[1])
GRADES = reverse("admin:distribution_grade_changelist")
DISTRIBUTORS = reverse("admin:distribution_distributor_changelist")
COMMISSIONS = reverse("admin:distribution_commission_changelist")

PLAN = {
    "mode": "apply",
    "levels": 3,
    "rates": [
        {"level": 1, "percent": "15"},
        {"level": 2, "percent": "10"},
        {"level": 3, "percent": "5"},
    ],
    "bind_rule": "first_touch",
    "bind_on": "visit",
    "bind_days": 30,
    "self_purchase": False,
    "freeze_days": 7,
    "max_commission_share": "50",
    "threshold_amount": "0",
    "base": "paid",
}


def tree_url(user: User) -> str:
    return reverse("admin:distribution_distributor_tree", args=[user.pk])


def ledger_url(user: User) -> str:
    return reverse("admin:distribution_distributor_ledger", args=[user.pk])


def plan_form(**changes) -> dict:
    """The plan page's form as the browser posts it, with the current plan filled in."""
    data = {**plan_as_dict(plan_get()), **changes}
    form = {k: v for k, v in data.items() if k not in ("self_purchase", "rates")}
    form.update(rate_rows(data["rates"]))
    if data["self_purchase"]:
        form["self_purchase"] = "on"
    return form


def row_of(rows: str, text: str) -> str:
    """The one table row of a list page that mentions `text`."""
    found = [row for row in rows.split("<tr")[1:] if text in row]
    assert len(found) == 1, (text, len(found))
    return found[0]


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@dataclass
class Network:
    """top ← a1 ← b1 ← c1 ← d1 and top ← a2, all active distributors; `applicant` has applied.
    c1 bought the band (¥229), a2 two mats (¥178), both paid."""

    top: User
    a1: User
    a2: User
    b1: User
    c1: User
    d1: User
    applicant: User
    band_order: Order
    mat_order: Order


def distributor(nickname: str, phone: str, inviter: User | None = None) -> User:
    user = UserFactory(nickname=nickname, phone=phone)
    if inviter is not None:
        code = Distributor.objects.get(pk=inviter.pk).referral_code
        assert binding.referral_visit(user=user, code=code).bound
    distributors.distributor_apply(user=user, reason="想分享好物")
    distributors.distributor_approve(distributor_id=user.pk)
    return user


@pytest.fixture
def network(shop: Shop) -> Network:
    plan_update(data=PLAN, source="import")
    top = distributor("大当家", "13911110000")
    a1 = distributor("阿一", "13911110001", top)
    a2 = distributor("阿二", "13911110002", top)
    b1 = distributor("小北", "13911110003", a1)
    c1 = distributor("小川", "13911110004", b1)
    d1 = distributor("阿丁", "13911110005", c1)  # four levels below top: not top's team
    applicant = UserFactory(nickname="新申请", phone="13911110009")
    distributors.distributor_apply(user=applicant, real_name="王小明", reason="宝妈群推广")
    band_order = pay(place(c1, shop.sku(shop.band)))
    mat_order = pay(place(a2, shop.sku(shop.mat), 2))
    return Network(top, a1, a2, b1, c1, d1, applicant, band_order, mat_order)


# the plan


def test_the_plan_list_opens_the_one_plan(console):
    r = console.get(reverse("admin:distribution_plan_changelist"))
    assert r.status_code == 302 and r["Location"] == PLAN_PAGE
    html = html_of(console.get(PLAN_PAGE))
    assert "分销层级" in html and "各级佣金" in html
    # the rates as one row per level: a value and its unit, no JSON to type
    assert 'name="rates_1_value"' in html and 'value="15"' in html
    assert 'name="rates_2_unit"' in html and "一件 ¥100 的商品可得" in html
    assert "distribution/rates.js" in html
    # there is one plan: none to add, none to delete
    add = reverse("admin:distribution_plan_add")
    assert add not in html and console.get(add).status_code == 403
    delete = reverse("admin:distribution_plan_delete", args=[1])
    assert console.post(delete, {"post": "yes"}).status_code == 403
    assert Plan.objects.filter(pk=1).exists()


def test_staff_change_the_plan_and_the_change_is_recorded(console):
    # given: the default plan, two levels
    plan_get()
    owner = User.objects.get(phone="13700000001")
    started = timezone.now()

    # when: the owner switches to applications, three levels, level 1 at 20%, and saves
    rates = [{"level": 1, "percent": "20"}, {"level": 2, "percent": "10"}]
    rates.append({"level": 3, "fixed": "1.50"})
    r = console.post(PLAN_PAGE, plan_form(mode="apply", levels=3, rates=json.dumps(rates)))

    # then: back on the plan page, the plan changed and one audit row says who and when
    assert r.status_code == 302 and r["Location"] == PLAN_PAGE
    plan = Plan.objects.get()
    assert (plan.mode, plan.levels) == ("apply", 3)
    assert plan.rates == [
        {"level": 1, "percent": "20"},
        {"level": 2, "percent": "10"},
        {"level": 3, "fixed": "1.50"},
    ]
    assert plan.updated_by == owner
    change = PlanChange.objects.get()
    assert (change.changed_by, change.source) == (owner, "console")
    assert started <= change.changed_at <= timezone.now()
    assert change.before["levels"] == 2 and change.after["levels"] == 3
    assert change.before["rates"][0] == {"level": 1, "percent": "15"}

    # and: the page says what was saved and shows the history entry
    r = console.get(PLAN_PAGE)
    assert any(
        "已保存并记入变更记录" in m and "分销商模式：人人分销 → 申请审核" in m
        for m in messages_of(r)
    )
    history = html_of(r).split('id="plan-history"')[1]
    assert "店主" in history and "13700000001" in history and "商家后台" in history
    assert "各级佣金：一级 15% · 二级 10% → 一级 20% · 二级 10% · 三级 ¥1.50/件" in history
    assert "分销层级：2 → 3" in history


def test_saving_an_unchanged_plan_records_nothing(console):
    plan_get()
    r = console.post(PLAN_PAGE, plan_form(), follow=True)
    assert "分销方案没有变化" in messages_of(r)
    assert not PlanChange.objects.exists()


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"levels": 4}, "分销层级最多 3 级（超过 3 级属于传销）"),
        ({"levels": 0}, "分销层级须为 1 到 3 的整数"),
        (
            {"rates": '[{"level": 1, "percent": "40"}, {"level": 2, "percent": "15"}]'},
            "各级佣金比例合计 55.00% 超过佣金上限 50%",
        ),
        ({"rates": '[{"level": 1, "percent": "-5"}]'}, "第 1 级佣金不能为负数"),
        ({"rates": [{"level": 1, "percent": "十五"}]}, "一级佣金请填写数字，如 15"),
        ({"rates": [{"level": 2, "fixed": "3.005"}]}, "第 2 级固定佣金须在 0 到 99999.99 元之间"),
        ({"rates": []}, "请至少填写一级佣金"),
        ({"rates": '[{"level": 3, "percent": "5"}]', "levels": 2}, "第 3 级超出分销层级（2 级）"),
        ({"max_commission_share": "150"}, "佣金上限须在 0 到 100 之间"),
        ({"threshold_amount": "-1"}, "消费门槛须为非负金额"),
        ({"mode": "pyramid"}, "选择一个有效的选项"),
    ],
)
def test_invalid_plans_are_refused_with_a_chinese_message_and_change_nothing(
    console, changes, error
):
    before = plan_as_dict(plan_get())

    r = console.post(PLAN_PAGE, plan_form(**changes))

    html = html_of(r)  # the form again, not a redirect
    assert "请更正以下错误" in html and "<title>错误：" in html
    assert error in html
    assert "Constraint" not in html and "约束" not in html  # no raw database wording
    assert plan_as_dict(plan_get()) == before
    assert not PlanChange.objects.exists()


def test_three_levels_bring_the_wechat_warning(console):
    plan_get()  # two levels
    assert 'id="plan-warnings"' not in html_of(console.get(PLAN_PAGE))

    r = console.post(PLAN_PAGE, plan_form(levels=3, rates='[{"level": 3, "percent": "5"}]'))
    assert r.status_code == 302 and Plan.objects.get().levels == 3

    warnings = html_of(console.get(PLAN_PAGE)).split('id="plan-warnings"')[1].split("</ul>")[0]
    assert "微信平台规则仅明确允许一级 CPS 返佣" in warnings


def test_a_refused_rate_keeps_every_row_as_typed(console):
    plan_get()
    rates = [{"level": 1, "percent": "十五"}, {"level": 2, "fixed": "3.50"}]

    html = html_of(console.post(PLAN_PAGE, plan_form(rates=rates, freeze_days=9)))

    # the message says what to type; every row and the other fields are as they were typed
    assert "一级佣金请填写数字，如 15（单位“% 实付金额”）或 3.00（单位“元 / 件”）" in html
    assert re.search(r'name="rates_1_value"[^>]*value="十五"', html)
    assert 'value="3.50"' in html and '<option value="fixed" selected>' in html
    assert 'name="freeze_days" value="9"' in html
    assert Plan.objects.get().rates == [
        {"level": 1, "percent": "15"},
        {"level": 2, "percent": "10"},
    ]


def test_a_refused_plan_does_not_bring_warnings_it_would_have_had(console):
    plan_get()
    html = html_of(console.post(PLAN_PAGE, plan_form(levels=4)))
    assert "微信平台规则" not in html  # the stored plan has two levels


def test_a_deployment_cap_below_the_plan_is_shown_and_enforced(console, settings):
    plan_update(data=PLAN, source="import")  # three levels
    settings.MAX_LEVELS = 2

    html = html_of(console.get(PLAN_PAGE))
    warnings = html.split('id="plan-warnings"')[1].split("</ul>")[0]
    assert "本部署（FENXIAO_MAX_LEVELS）限制最多 2 级" in warnings
    assert "FENXIAO_MAX_LEVELS=2" in html  # the levels field says so too

    # saving three levels is refused; two levels is accepted
    r = console.post(PLAN_PAGE, plan_form())
    assert "本系统部署限制分销层级最多 2 级" in html_of(r)
    assert Plan.objects.get().levels == 3
    two = '[{"level": 1, "percent": "15"}, {"level": 2, "percent": "10"}]'
    r = console.post(PLAN_PAGE, plan_form(levels=2, rates=two))
    assert r.status_code == 302 and Plan.objects.get().levels == 2


def test_the_full_history_lists_changes_with_their_summary(console):
    plan_update(data=PLAN, source="import")
    assert console.post(PLAN_PAGE, plan_form(freeze_days=10)).status_code == 302

    rows = result_rows(console.get(reverse("admin:distribution_planchange_changelist")))
    assert "冻结天数（售后期）：7 → 10" in rows and "商家后台" in rows
    assert "分销层级：2 → 3" in rows and "导入" in rows


# grades


def grade_form(**fields) -> dict:
    form = {
        "name": "金牌",
        "rank": 2,
        "rates": "",
        "withdraw_min": "1.00",
        "withdraw_daily_max": "5000.00",
        "withdraw_daily_count": "3",
        "withdraw_fee_percent": "0",
        "privileges": "{}",
        "upgrade_own_sales": "",
        "upgrade_team_sales": "",
        "upgrade_direct_buyers": "",
    }
    form.update(fields)
    form.update(rate_rows(form.pop("rates")))
    if form.pop("is_default", False):
        form["is_default"] = "on"
    return form


def test_create_and_edit_a_grade_with_rates(console):
    plan_get()
    add = reverse("admin:distribution_grade_add")
    rates = '[{"level": 1, "percent": "18.5"}, {"level": 2, "fixed": "2"}]'

    r = console.post(
        add, grade_form(rates=rates, upgrade_team_sales="5000", withdraw_daily_count="5")
    )

    assert r.status_code == 302
    gold = Grade.objects.get(name="金牌")
    assert gold.withdraw_daily_count == 5
    assert gold.rates == [{"level": 1, "percent": "18.5"}, {"level": 2, "fixed": "2"}]
    assert gold.upgrade_team_sales == Decimal("5000.00") and not gold.is_default
    assert "一级 18.5% · 二级 ¥2/件" in result_rows(console.get(GRADES))

    change = reverse("admin:distribution_grade_change", args=[gold.pk])
    r = console.post(change, grade_form(name="金牌推广员", rates=""))
    assert r.status_code == 302
    gold.refresh_from_db()
    assert (gold.name, gold.rates) == ("金牌推广员", [])  # no rates: the plan's apply
    assert "同方案" in result_rows(console.get(GRADES))


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"rates": '[{"level": 3, "percent": "1.00001"}]'}, "第 3 级佣金比例须在 0 到 100 之间"),
        ({"rates": '[{"level": 1, "percent": "60"}]'}, "各级佣金比例合计 60.00% 超过佣金上限"),
        ({"rates": '[{"level": 1, "percent": "-1"}]'}, "第 1 级佣金不能为负数"),
        ({"rates": '[{"level": 1, "fixed": "3元"}]'}, "一级佣金请填写数字"),
        ({"withdraw_min": "-1"}, "不能为负数"),
        ({"withdraw_fee_percent": "120"}, "手续费须在 0 到 100% 之间"),
        ({"withdraw_daily_count": "0"}, "每日提现次数须为至少 1 的整数"),
    ],
)
def test_invalid_grades_are_refused(console, fields, error):
    plan_get()
    r = console.post(reverse("admin:distribution_grade_add"), grade_form(**fields))
    assert error in html_of(r)
    assert not Grade.objects.filter(name="金牌").exists()


def test_one_default_grade_only(console):
    plan_get()
    basic = grade_save(grade=Grade(name="普通", is_default=True))

    # when: a new grade is made the default, the old one stops being it
    r = console.post(reverse("admin:distribution_grade_add"), grade_form(is_default=True))
    assert r.status_code == 302, r.content.decode()
    gold = Grade.objects.get(name="金牌")
    assert list(Grade.objects.filter(is_default=True)) == [gold]
    assert any("「金牌」已设为默认等级，「普通」不再是默认等级" in m for m in messages_of(r))

    # and: the default cannot be switched off without choosing another, nor deleted
    change = reverse("admin:distribution_grade_change", args=[gold.pk])
    r = console.post(change, grade_form(is_default=False))
    assert "必须保留一个默认等级" in html_of(r)
    assert list(Grade.objects.filter(is_default=True)) == [gold]
    delete = reverse("admin:distribution_grade_delete", args=[gold.pk])
    assert console.post(delete, {"post": "yes"}).status_code == 403
    assert Grade.objects.filter(pk=gold.pk).exists()
    assert basic.pk in Grade.objects.values_list("pk", flat=True)


def test_product_rates_are_validated_and_saved_through_the_service(console, shop):
    plan_get()
    add = reverse("admin:distribution_productcommission_add")

    r = console.post(add, {"product": shop.band.pk, **rate_rows([{"level": 1, "percent": "80"}])})
    assert "超过佣金上限" in html_of(r)
    assert not ProductCommission.objects.exists()

    r = console.post(add, {"product": shop.band.pk, **rate_rows([{"level": 1, "fixed": "5"}])})
    assert r.status_code == 302
    assert ProductCommission.objects.get(product=shop.band).rates == [{"level": 1, "fixed": "5"}]
    rows = result_rows(console.get(reverse("admin:distribution_productcommission_changelist")))
    assert "智能运动手环" in rows and "一级 ¥5/件" in rows


# distributors


@pytest.mark.parametrize(
    "query, present, absent",
    [
        ("?status__exact=applied", ["新申请"], ["大当家", "阿一"]),
        ("?status__exact=active", ["大当家", "阿丁"], ["新申请"]),
        ("?q=13911110003", ["小北"], ["大当家", "小川"]),
        ("?q=阿二", ["阿二"], ["阿一", "大当家"]),
        ("?q=王小明", ["新申请"], ["大当家"]),
    ],
)
def test_distributor_list_filters_and_search(console, network, query, present, absent):
    rows = result_rows(console.get(DISTRIBUTORS + query))
    for text in present:
        assert text in rows, text
    for text in absent:
        assert text not in rows, text


def test_distributor_list_search_by_referral_code_and_filter_by_grade(console, network):
    gold = grade_save(grade=Grade(name="金牌分销商", rank=2))
    Distributor.objects.filter(pk=network.b1.pk).update(grade=gold)
    code = Distributor.objects.get(pk=network.c1.pk).referral_code

    rows = result_rows(console.get(DISTRIBUTORS + f"?q={code.lower()}"))
    assert "小川" in rows and "小北" not in rows
    rows = result_rows(console.get(DISTRIBUTORS + f"?grade__id__exact={gold.pk}"))
    assert "小北" in rows and "小川" not in rows and "大当家" not in rows


def test_distributor_list_shows_team_counts_and_balances(console, network):
    r = console.get(DISTRIBUTORS)
    rows = result_rows(r)
    top = row_of(rows, "大当家")
    # c1 is three levels below top; d1, four levels below, is not in top's team
    assert f'<a href="{tree_url(network.top)}" title="查看团队">2 / 1 / 1</a>' in top
    # top earns level 3 of the band (5% of 229) and level 1 of the mats (15% of 178)
    assert f'<a href="{ledger_url(network.top)}" title="查看账户流水"' in top
    assert "¥38.15 / ¥0.00 / ¥0.00" in top
    a1 = row_of(rows, "阿一")
    assert "1 / 1 / 1" in a1 and "¥22.90 / ¥0.00 / ¥0.00" in a1


def test_distributor_list_queries_do_not_grow_with_distributors(
    console, network, django_assert_max_num_queries
):
    # given: 20 more distributors under a1, each with a customer, and a ledger account
    for n in range(20):
        distributor(f"推广员{n}", f"1381111{n:04d}", network.a1)
    # session, user, two counts, the page with its team counts and balances, grades filter
    with django_assert_max_num_queries(6):
        r = console.get(DISTRIBUTORS)
    assert r.context["cl"].result_count == 27
    assert "21 / 1 / 1" in row_of(result_rows(r), "阿一")
    with django_assert_max_num_queries(6):
        assert console.get(DISTRIBUTORS + "?q=推广员&status__exact=active&o=6").status_code == 200


def test_team_page_lists_three_levels_with_orders_and_sales(console, network):
    html = html_of(console.get(tree_url(network.top)))

    level_1 = html.split('id="level-1"')[1].split("</table>")[0]
    assert "一级成员（2 人 · 1 单 · ¥178.00）" in level_1
    assert "阿一" in level_1 and "阿二" in level_1
    mats = level_1.split("阿二")[1].split("</tr>")[0]
    assert "139****0002" in mats and "<td>1</td><td>¥178.00</td>" in mats
    level_2 = html.split('id="level-2"')[1].split("</table>")[0]
    assert "二级成员（1 人 · 0 单 · ¥0.00）" in level_2 and "小北" in level_2
    level_3 = html.split('id="level-3"')[1].split("</table>")[0]
    assert "三级成员（1 人 · 1 单 · ¥229.00）" in level_3
    assert "小川" in level_3 and "已生效" in level_3
    assert "阿丁" not in html  # the fourth level is not part of the team
    # members link to their own team; a1's page shows its upline
    assert f'href="{tree_url(network.c1)}"' in level_3
    a1_page = html_of(console.get(tree_url(network.a1)))
    assert "上级 <a" in a1_page and "大当家" in a1_page
    assert "阿丁" in a1_page.split('id="level-3"')[1]


def test_team_page_queries_are_bounded(console, network, django_assert_max_num_queries):
    # four queries a level (members, their orders, statuses, their own teams), whatever its size
    with django_assert_max_num_queries(16):
        assert console.get(tree_url(network.top)).status_code == 200
    with django_assert_max_num_queries(5):
        assert console.get(ledger_url(network.top)).status_code == 200


def test_ledger_page_lists_entries_and_balances(console, network):
    r = console.get(ledger_url(network.top))
    html = html_of(r)
    assert "待结算 ¥38.15 · 可提现 ¥0.00 · 提现中 ¥0.00" in html
    entries = html.split('id="ledger-entries"')[1]
    assert entries.count("佣金入账（待结算）") == 2
    assert "+11.45" in entries and network.band_order.number in entries
    assert "+26.70" in entries and network.mat_order.number in entries
    assert "待结算佣金" in entries
    # nobody else's money
    assert "+34.35" not in entries  # b1's level-1 commission on the band


def test_ledger_page_after_a_refund_shows_the_reversal(console, network):
    refund = ask_refund(network.mat_order, 2)
    refund_approve(refund_id=refund.pk, staff=None)

    entries = html_of(console.get(ledger_url(network.top))).split('id="ledger-entries"')[1]
    assert "售后冲减佣金" in entries and "-26.70" in entries
    assert ledger_selectors.balances_of(network.top.pk)["frozen"] == Decimal("11.45")


def test_review_actions_move_distributors_and_refuse_wrong_states(console, network):
    applicant, top = network.applicant, network.top

    # approving an application makes an active distributor, reviewed by the owner
    r = act(console, DISTRIBUTORS, "approve", [Distributor.objects.get(pk=applicant.pk)])
    assert "已通过 1 位分销商" in messages_of(r)
    found = Distributor.objects.get(pk=applicant.pk)
    assert found.status == "active" and found.activated_at is not None
    assert found.reviewed_by.phone == "13700000001"

    # approving or rejecting an active one is refused with a message, not a 500
    r = act(console, DISTRIBUTORS, "approve", [found])
    assert r.status_code == 200
    assert any("不能执行该操作" in m and "已生效" in m for m in messages_of(r))
    r = act(console, DISTRIBUTORS, "reject", [found])
    assert any("不能执行该操作" in m for m in messages_of(r))
    assert Distributor.objects.get(pk=applicant.pk).status == "active"

    # freeze and unfreeze; a mixed choice does what it can and says what it could not
    r = act(console, DISTRIBUTORS, "freeze", [Distributor.objects.get(pk=top.pk)])
    assert "已冻结 1 位分销商" in messages_of(r)
    assert Distributor.objects.get(pk=top.pk).status == "frozen"
    chosen = Distributor.objects.filter(pk__in=[top.pk, network.a1.pk])
    r = act(console, DISTRIBUTORS, "unfreeze", list(chosen))
    assert "已解冻 1 位分销商" in messages_of(r)
    assert any("阿一" in m and "不能执行该操作" in m for m in messages_of(r))
    assert Distributor.objects.get(pk=top.pk).status == "active"


def test_reject_an_application(console, network):
    r = act(console, DISTRIBUTORS, "reject", [Distributor.objects.get(pk=network.applicant.pk)])
    assert "已拒绝 1 位分销商" in messages_of(r)
    assert Distributor.objects.get(pk=network.applicant.pk).status == "rejected"


def test_the_status_changes_only_through_the_review_actions(console, network):
    basic = Distributor.objects.get(pk=network.applicant.pk).grade
    gold = grade_save(grade=Grade(name="金牌分销商", rank=2))
    change = reverse("admin:distribution_distributor_change", args=[network.applicant.pk])
    html = html_of(console.get(change))
    assert f'href="{tree_url(network.applicant)}"' in html  # team and ledger from the form
    assert f'href="{ledger_url(network.applicant)}"' in html

    r = console.post(
        change,
        {
            "status": "active",
            "grade": gold.pk,
            "real_name": "王小明",
            "apply_reason": "",
            "review_note": "优质宝妈",
        },
    )

    assert r.status_code == 302
    found = Distributor.objects.get(pk=network.applicant.pk)
    assert (found.status, found.grade, found.review_note) == ("applied", gold, "优质宝妈")
    assert found.activated_at is None and basic != gold


# commission lines


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {("小北", 1), ("阿一", 2), ("大当家", 3), ("大当家", 1)}),
        ("?level=3", {("大当家", 3)}),
        ("?level=1&source=plan", {("小北", 1), ("大当家", 1)}),
        ("?source=product", set()),
        ("?status__exact=settled", set()),
        ("?status__exact=frozen&level=2", {("阿一", 2)}),
        ("?q=13911110001", {("阿一", 2)}),
    ],
)
def test_commission_list_filters_and_search(console, network, query, expected):
    r = console.get(COMMISSIONS + query)
    shown = {(c.beneficiary.nickname, c.level) for c in r.context["cl"].result_list}
    assert shown == expected


def test_commission_list_search_by_order_number_and_shows_the_rate(console, network):
    rows = result_rows(console.get(COMMISSIONS + f"?q={network.band_order.number}"))
    assert rows.count("<tr") == 4  # header + three levels of the band
    assert "智能运动手环" in rows and network.mat_order.number not in rows
    assert "15%" in rows and "方案默认佣金" in rows and "三级" in rows
    order = reverse("admin:orders_order_change", args=[network.band_order.pk])
    assert f'href="{order}"' in rows
    for filter_title in ("层级", "佣金来源", "商品独立佣金", "一级"):
        assert filter_title in html_of(console.get(COMMISSIONS))


def test_commission_lines_are_read_only(console, network):
    line = Commission.objects.get(beneficiary=network.top, level=3)
    change = reverse("admin:distribution_commission_change", args=[line.pk])
    html = html_of(console.get(change))
    assert 'name="_save"' not in html and "11.45" in html

    r = console.post(change, {"amount": "9999.00", "status": "settled"})

    assert r.status_code == 403
    line.refresh_from_db()
    assert (line.amount, line.status) == (Decimal("11.45"), "frozen")
    add = reverse("admin:distribution_commission_add")
    assert add not in html_of(console.get(COMMISSIONS))
    assert console.get(add).status_code == 403


def test_commission_list_queries_do_not_grow_with_lines(
    console, shop, network, django_assert_max_num_queries
):
    for _ in range(10):
        pay(place(network.c1, shop.sku(shop.shirt)))
    with django_assert_max_num_queries(7):
        r = console.get(COMMISSIONS)
    assert r.context["cl"].result_count == 4 + 30
    with django_assert_max_num_queries(7):
        assert console.get(COMMISSIONS + "?level=1&q=1391111").status_code == 200


# the ledger


def test_ledger_pages_in_chinese_with_bounded_queries(
    console, network, django_assert_max_num_queries
):
    pages = ["entry", "transaction", "account"]
    for name in pages:
        with django_assert_max_num_queries(6):
            r = console.get(reverse(f"admin:ledger_{name}_changelist"))
        assert r.status_code == 200
    rows = result_rows(console.get(reverse("admin:ledger_entry_changelist") + "?q=13911110000"))
    assert rows.count("佣金入账（待结算）") == 2 and "大当家" in rows
    assert "commission_accrue" not in rows
    kinds = reverse("admin:ledger_transaction_changelist") + "?kind=commission_accrue"
    assert console.get(kinds).context["cl"].result_count == 4  # three levels + one


# roles


def test_finance_views_commissions_and_ledger_but_cannot_change_the_plan(
    client, make_staff, network
):
    client.force_login(make_staff("finance"))
    before = plan_as_dict(plan_get())

    assert "大当家" in result_rows(client.get(COMMISSIONS))
    assert client.get(reverse("admin:ledger_entry_changelist")).status_code == 200
    assert "待结算 ¥38.15" in html_of(client.get(ledger_url(network.top)))
    html = html_of(client.get(PLAN_PAGE))  # visible, read-only, rates in words
    assert 'name="_save"' not in html and "分销层级" in html
    assert "一级 15% · 二级 10% · 三级 5%" in html and 'name="rates_1_value"' not in html

    r = client.post(PLAN_PAGE, plan_form(levels=1, rates='[{"level": 1, "percent": "30"}]'))

    assert r.status_code == 403
    assert plan_as_dict(plan_get()) == before
    assert not PlanChange.objects.filter(source="console").exists()
    r = act(client, DISTRIBUTORS, "approve", [Distributor.objects.get(pk=network.applicant.pk)])
    assert Distributor.objects.get(pk=network.applicant.pk).status == "applied"


def test_service_cannot_change_the_plan_or_approve(client, make_staff, network):
    client.force_login(make_staff("service"))
    before = plan_as_dict(plan_get())

    assert client.get(PLAN_PAGE).status_code == 403
    assert client.post(PLAN_PAGE, plan_form(levels=1)).status_code == 403
    assert plan_as_dict(plan_get()) == before

    r = client.get(DISTRIBUTORS)
    assert "新申请" in result_rows(r) and 'value="approve"' not in html_of(r)
    act(client, DISTRIBUTORS, "approve", [Distributor.objects.get(pk=network.applicant.pk)])
    assert Distributor.objects.get(pk=network.applicant.pk).status == "applied"
    # the team is visible, the money records are finance's
    assert client.get(tree_url(network.top)).status_code == 200
    assert client.get(ledger_url(network.top)).status_code == 403


def test_operator_changes_the_plan_and_approves(client, make_staff, network):
    operator = make_staff("operator")
    client.force_login(operator)

    r = client.post(PLAN_PAGE, plan_form(freeze_days=14))
    assert r.status_code == 302
    assert Plan.objects.get().freeze_days == 14
    assert PlanChange.objects.get(source="console").changed_by == operator

    act(client, DISTRIBUTORS, "approve", [Distributor.objects.get(pk=network.applicant.pk)])
    found = Distributor.objects.get(pk=network.applicant.pk)
    assert found.status == "active" and found.reviewed_by == operator


def test_a_shopper_sees_no_console_page(client, network):
    client.force_login(network.top)
    for url in [PLAN_PAGE, DISTRIBUTORS, tree_url(network.top), ledger_url(network.top)]:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/admin/login/"), url


def test_the_demo_network_in_the_console(console, django_assert_max_num_queries):
    load_demo()
    with django_assert_max_num_queries(6):
        r = console.get(DISTRIBUTORS)
    assert r.context["cl"].result_count == Distributor.objects.count() >= 13
    # every team figure on the list agrees with the team page it links to
    for found in r.context["cl"].result_list:
        page = html_of(console.get(tree_url(found.user)))
        for level, count in ((1, found.team_1), (2, found.team_2), (3, found.team_3)):
            assert f"成员（{count} 人" in page.split(f'id="level-{level}"')[1].split("</h2>")[0]
    # the demo's frozen distributor shows as such in its inviter's team
    frozen = Distributor.objects.select_related("user").get(status="frozen")
    inviter = frozen.user.binding.inviter
    level_1 = html_of(console.get(tree_url(inviter))).split('id="level-1"')[1]
    assert "已冻结" in level_1.split(frozen.user.nickname)[1].split("</tr>")[0]


def test_finance_reads_a_grades_rates_in_words(client, make_staff):
    plan_get()
    gold = grade_save(grade=Grade(name="金牌", rates=[{"level": 1, "percent": "18"}]))
    client.force_login(make_staff("finance"))
    html = html_of(client.get(reverse("admin:distribution_grade_change", args=[gold.pk])))
    assert "一级 18%" in html and "&quot;level&quot;" not in html
    assert 'name="rates_1_value"' not in html
