"""Refresh the staff roles now that marketing has permissions: operators manage 满减, coupons
and points; finance and customer service see them."""

from django.db import migrations

from fenxiao.accounts.migrations._roles import sync


class Migration(migrations.Migration):
    dependencies = [
        ("marketing", "0003_points_rule_accounts_entries"),
        ("orders", "0005_refund_freight"),
        ("catalog", "0008_staff_roles_freight"),
        ("accounts", "0005_loginfailure_loginlockout_token_auth_hash_and_more"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
