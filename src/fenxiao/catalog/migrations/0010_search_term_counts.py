"""SQLite: how many products hold each 1- and 2-character run, read from the grams index
(0003) through an fts5vocab table, so a list can tell a term in most products before counting
them (catalog.selectors.term_likely_in_more_than). PostgreSQL has its planner's statistics."""

from django.db import migrations

SQLITE_UP = (
    "CREATE VIRTUAL TABLE catalog_product_grams_vocab "
    "USING fts5vocab('catalog_product_grams', 'row')"
)
SQLITE_DOWN = "DROP TABLE IF EXISTS catalog_product_grams_vocab"


def run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalog", "0009_clean_descriptions")]

    operations = [migrations.RunPython(run(SQLITE_UP), run(SQLITE_DOWN))]
