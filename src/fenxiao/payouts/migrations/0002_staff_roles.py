"""Grant the finance role the withdrawal review (提现审核) now that payouts has permissions."""

from django.db import migrations

from fenxiao.accounts.migrations._roles import sync


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_loginfailure_loginlockout_token_auth_hash_and_more"),
        ("payouts", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
