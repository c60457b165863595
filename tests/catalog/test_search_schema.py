"""The search index lives in triggers Django does not know about. On SQLite, a later
migration that rebuilds catalog_product (most AlterFields do) drops them without a word;
this test fails if any is missing after all migrations, so such a migration must recreate
them."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

SQLITE_TRIGGERS = {
    "catalog_product_fts_ai",
    "catalog_product_fts_ad",
    "catalog_product_fts_au",
    "catalog_product_grams_ai",
    "catalog_product_grams_ad",
    "catalog_product_grams_au",
}
POSTGRES_TRIGGERS = {"catalog_product_grams_sync", "catalog_product_grams_truncate"}


def test_every_search_trigger_exists_after_migrations():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = SQLITE_TRIGGERS
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            expected = POSTGRES_TRIGGERS
        found = {row[0] for row in cursor.fetchall()}
    assert expected <= found, f"missing search triggers: {sorted(expected - found)}"


def test_a_new_product_is_found_through_both_indexes():
    from fenxiao.catalog.selectors import product_list
    from tests.catalog.factories import ProductFactory

    product = ProductFactory(name="竹纤维毛巾")
    assert list(product_list(q="纤维毛巾")) == [product]  # 3+ characters: trigram index
    assert list(product_list(q="毛巾")) == [product]  # short term: grams index
