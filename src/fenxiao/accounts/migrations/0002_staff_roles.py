"""Staff roles (owner, operator, finance, service) as groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("catalog", "0001_initial"),
        ("orders", "0001_initial"),
        ("payments", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
