"""Let the finance role see transfer bills and their notifications in 提现审核."""

from django.db import migrations

from fenxiao.accounts.migrations._roles import sync


class Migration(migrations.Migration):
    dependencies = [("payouts", "0003_transfer_bills")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
