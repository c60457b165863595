"""Refresh the staff roles now that the storefront has permissions: operators change the shop's
look, finance and service see it."""

from django.db import migrations

from fenxiao.accounts.migrations._roles import sync


class Migration(migrations.Migration):
    dependencies = [
        ("storefront", "0001_initial"),
        ("accounts", "0005_loginfailure_loginlockout_token_auth_hash_and_more"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
