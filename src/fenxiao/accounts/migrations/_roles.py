"""Shared by the migrations that refresh staff roles."""

from django.contrib.auth.management import create_permissions

from fenxiao.accounts.services import staff_roles_sync


def sync(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    staff_roles_sync(
        permission_model=apps.get_model("auth", "Permission"),
        group_model=apps.get_model("auth", "Group"),
    )
