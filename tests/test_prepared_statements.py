"""On PostgreSQL the server binds parameters and prepares a statement run FENXIAO_DB_PREPARE_AFTER
times on a connection, so a shop's repeated queries are parsed once and, once PostgreSQL finds
a generic plan no dearer, planned once; reports plan each query for their own period."""

import pytest
from django.conf import settings
from django.db import connection

from fenxiao.catalog.models import Sku
from fenxiao.reports.periods import preset
from fenxiao.reports.selectors.common import report_queries
from fenxiao.reports.selectors.dashboard import dashboard
from tests.catalog.factories import SkuFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


def test_a_query_run_often_on_a_connection_is_prepared_by_the_server():
    skus = [SkuFactory() for _ in range(int(settings.DB_PREPARE_AFTER) + 1)]
    read = 'SELECT "catalog_sku"."code" AS "code" FROM "catalog_sku" WHERE "catalog_sku"."id" = $1'

    for sku in skus[:-1]:  # the same statement, other values: run DB_PREPARE_AFTER times
        assert Sku.objects.filter(pk=sku.pk).values_list("code", flat=True).get() == sku.code
    assert not [s for s in prepared() if s.startswith(read)]
    # and once more: now it is prepared
    assert Sku.objects.filter(pk=skus[-1].pk).values_list("code", flat=True).get() == skus[-1].code

    assert len([s for s in prepared() if s.startswith(read)]) == 1, prepared()


@pytest.mark.django_db(transaction=True)  # the report's transaction is the outermost one
def test_reports_plan_each_query_for_their_own_period_and_only_they_do():
    assert setting("plan_cache_mode") == "auto"
    with report_queries():
        # a generic plan, made once for any values, would plan a year's report like a week's
        assert setting("plan_cache_mode") == "force_custom_plan"
        assert setting("jit") == "off"
        assert dashboard(preset("7")).figures
    assert setting("plan_cache_mode") == "auto"
