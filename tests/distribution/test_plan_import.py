"""`fenxiao plan --import` is an entry point like the API: same validation, audited."""

import json

import pytest

from fenxiao.cli import main as fenxiao
from fenxiao.distribution.models import PlanChange
from fenxiao.distribution.services.plan import plan_as_dict, plan_get

pytestmark = pytest.mark.django_db

PLAN = {
    "mode": "apply",
    "levels": 1,
    "rates": [{"level": 1, "percent": "20"}],
    "bind_rule": "last_touch",
    "bind_on": "visit",
    "bind_days": 30,
    "self_purchase": True,
    "freeze_days": 7,
    "max_commission_share": "50",
    "threshold_amount": "0",
    "base": "paid",
}


def write(tmp_path, data) -> str:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_import_replaces_the_plan_and_is_audited(tmp_path, capsys):
    assert fenxiao(["plan", "--import", write(tmp_path, PLAN)]) == 0
    plan = plan_as_dict(plan_get())
    assert (plan["mode"], plan["levels"], plan["rates"]) == ("apply", 1, PLAN["rates"])
    change = PlanChange.objects.get()
    assert change.source == "import" and change.after["mode"] == "apply"


@pytest.mark.parametrize(
    "bad, code",
    [
        ({"levels": 4, "rates": []}, "plan_levels_exceeded"),
        ({"entry_fee": "99"}, "pyramid_rule_refused"),
        ({"rates": [{"level": 1, "percent": "-1"}]}, "plan_invalid"),
    ],
)
def test_import_refuses_what_the_api_refuses(tmp_path, capsys, bad, code):
    before = plan_as_dict(plan_get())
    assert fenxiao(["plan", "--import", write(tmp_path, {**PLAN, **bad})]) == 2
    assert code in capsys.readouterr().err
    assert plan_as_dict(plan_get()) == before
    assert not PlanChange.objects.exists()


def test_import_respects_the_deployment_cap(tmp_path, settings, capsys):
    settings.MAX_LEVELS = 1
    two = {
        **PLAN,
        "levels": 2,
        "rates": [{"level": 1, "percent": "10"}, {"level": 2, "percent": "5"}],
    }
    assert fenxiao(["plan", "--import", write(tmp_path, two)]) == 2
    assert "1 级" in capsys.readouterr().err


def test_saving_the_same_plan_again_records_no_change(tmp_path):
    assert fenxiao(["plan", "--import", write(tmp_path, PLAN)]) == 0
    assert fenxiao(["plan", "--import", write(tmp_path, {**PLAN, "threshold_amount": "0.00"})]) == 0
    assert PlanChange.objects.count() == 1
