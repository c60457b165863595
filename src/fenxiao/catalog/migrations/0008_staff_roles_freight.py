"""Refresh the staff roles now that freight templates have permissions: operators (every
catalog permission) manage them."""

from django.db import migrations

from fenxiao.accounts.migrations._roles import sync


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_freight_templates"),
        ("accounts", "0005_loginfailure_loginlockout_token_auth_hash_and_more"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
