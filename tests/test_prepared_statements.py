"""On PostgreSQL the server binds parameters and prepares a statement run FENXIAO_DB_PREPARE_AFTER
times on a connection, so a shop's repeated queries are parsed once; each run is still planned
for its own values."""

import pytest
from django.conf import settings
from django.db import connection

from fenxiao.catalog.models import Sku
from tests.catalog.factories import SkuFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_query_run_often_on_a_connection_is_prepared_by_the_server():
    skus = [SkuFactory() for _ in range(int(settings.DB_PREPARE_AFTER) + 1)]
    read = 'SELECT "catalog_sku"."code" AS "code" FROM "catalog_sku" WHERE "catalog_sku"."id" = $1'

    for sku in skus[:-1]:  # the same statement, other values: run DB_PREPARE_AFTER times
        assert Sku.objects.filter(pk=sku.pk).values_list("code", flat=True).get() == sku.code
    assert not [s for s in prepared() if s.startswith(read)]
    # and once more: now it is prepared
    assert Sku.objects.filter(pk=skus[-1].pk).values_list("code", flat=True).get() == skus[-1].code

    assert len([s for s in prepared() if s.startswith(read)]) == 1, prepared()


def test_a_prepared_statement_is_planned_for_each_run_s_values():
    # a generic plan, made once for any values, would plan a year's report like a week's
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_custom_plan"
