"""The report pages (数据概况, 分销效果, 排行榜) as proxies with a view permission each, granted
to the owner, operator and finance roles (accounts.services.STAFF_ROLES); service staff do
not see them."""

from django.db import migrations

from fenxiao.accounts.migrations._roles import sync


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("orders", "0005_refund_freight"),
        # after the other apps' role refreshes, so this one sees every permission
        ("accounts", "0005_loginfailure_loginlockout_token_auth_hash_and_more"),
        ("payouts", "0006_sandbox_channel_label"),
        ("marketing", "0004_staff_roles_marketing"),
        ("distribution", "0007_commission_points_counted"),
    ]

    operations = [
        migrations.CreateModel(
            name="Dashboard",
            fields=[],
            options={
                "verbose_name": "数据概况",
                "verbose_name_plural": "数据概况",
                "proxy": True,
                "default_permissions": ("view",),
                "indexes": [],
                "constraints": [],
            },
            bases=("orders.order",),
        ),
        migrations.CreateModel(
            name="DistributionEffect",
            fields=[],
            options={
                "verbose_name": "分销效果",
                "verbose_name_plural": "分销效果",
                "proxy": True,
                "default_permissions": ("view",),
                "indexes": [],
                "constraints": [],
            },
            bases=("orders.order",),
        ),
        migrations.CreateModel(
            name="Ranking",
            fields=[],
            options={
                "verbose_name": "排行榜",
                "verbose_name_plural": "排行榜",
                "proxy": True,
                "default_permissions": ("view",),
                "indexes": [],
                "constraints": [],
            },
            bases=("orders.order",),
        ),
        migrations.RunPython(sync, migrations.RunPython.noop),
    ]
