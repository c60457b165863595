"""Descriptions written before they were sanitised are cleaned once, like every new one."""

from django.db import migrations

from fenxiao.catalog.richtext import description_clean


def clean_descriptions(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    for pk, description in Product.objects.exclude(description="").values_list("pk", "description"):
        cleaned = description_clean(description)
        if cleaned != description:
            Product.objects.filter(pk=pk).update(description=cleaned)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_staff_roles_freight")]

    operations = [
        migrations.RunPython(clean_descriptions, migrations.RunPython.noop, elidable=True),
    ]
