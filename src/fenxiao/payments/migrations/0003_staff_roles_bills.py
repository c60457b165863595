"""Grant the finance role the bill reconciliation (账单对账) now that its models exist."""

from django.db import migrations

from fenxiao.accounts.migrations._roles import sync


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_loginfailure_loginlockout_token_auth_hash_and_more"),
        ("payouts", "0004_staff_roles_transfers"),
        ("payments", "0002_bill_reconciliation"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
