"""Grades get their own count of withdrawals per day. Existing grades take the count the
deployment had set (FENXIAO_WITHDRAW_MAX_PER_DAY, the setting this field replaces), else 3."""

import os

from django.db import migrations, models


def from_the_old_setting(apps, schema_editor):
    try:
        count = int(os.environ.get("FENXIAO_WITHDRAW_MAX_PER_DAY", "3"))
    except ValueError:
        count = 3
    apps.get_model("distribution", "Grade").objects.update(withdraw_daily_count=max(count, 1))


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0003_plan_tax"),
    ]

    operations = [
        migrations.AddField(
            model_name="grade",
            name="withdraw_daily_count",
            field=models.PositiveSmallIntegerField(default=3, verbose_name="每日提现次数"),
        ),
        migrations.RunPython(from_the_old_setting, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="grade",
            constraint=models.CheckConstraint(
                condition=models.Q(("withdraw_daily_count__gte", 1)),
                name="grade_withdraw_daily_count_min_1",
            ),
        ),
    ]
