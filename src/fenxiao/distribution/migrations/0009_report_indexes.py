"""(user, kind, at): the reports ask, per new user, for a referral visit near sign-up; an
index-only probe instead of reading the events (bench/reports.py)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_clean_descriptions"),
        ("distribution", "0008_chinese_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="bindingevent",
            index=models.Index(fields=["user", "kind", "at"], name="bindingevent_user_kind_at"),
        ),
    ]
