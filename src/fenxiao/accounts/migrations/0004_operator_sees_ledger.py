"""Operators review distributors, so they may read the ledger too."""

from django.db import migrations

from fenxiao.accounts.migrations._roles import sync


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_staff_roles_distribution")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
