"""The console's 个税月报 page (a proxy of withdrawals), and the finance role may now see the
payees' identities (实名信息) the report is made of."""

from django.db import migrations

from fenxiao.accounts.migrations._roles import sync


class Migration(migrations.Migration):
    dependencies = [
        ("payouts", "0004_staff_roles_transfers"),
    ]

    operations = [
        migrations.CreateModel(
            name="TaxReportMonth",
            fields=[],
            options={
                "verbose_name": "个税月报",
                "verbose_name_plural": "个税月报",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("payouts.withdrawal",),
        ),
        migrations.RunPython(sync, migrations.RunPython.noop),
    ]
