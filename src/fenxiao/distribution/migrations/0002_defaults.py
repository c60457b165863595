"""The shop's distribution plan (everyone, 2 levels, 15% / 10%) and the default grade."""

from django.db import migrations


def create(apps, schema_editor):
    Plan = apps.get_model("distribution", "Plan")
    Grade = apps.get_model("distribution", "Grade")
    Plan.objects.get_or_create(
        pk=1, defaults={"rates": [{"level": 1, "percent": "15"}, {"level": 2, "percent": "10"}]}
    )
    Grade.objects.get_or_create(name="普通分销商", defaults={"is_default": True, "rank": 0})


class Migration(migrations.Migration):
    dependencies = [("distribution", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
