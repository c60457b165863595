"""fenxiao.db's array parameters reach PostgreSQL intact, whatever the text holds."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection

from fenxiao import db
from fenxiao.ledger.models import Account

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

AWKWARD = ['a "quoted" name', "back\\slash", "{braces},commas", "NULL", "", " 空 格 ", "分销\n换行"]


def roundtrip(values, type_: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v FROM unnest(%s::{type_}[]) WITH ORDINALITY AS t(v, n) ORDER BY n",
            [db.array(values)],
        )
        return [row[0] for row in cursor.fetchall()]


def test_text_comes_back_as_it_went_in():
    assert roundtrip([*AWKWARD, None], "text") == [*AWKWARD, None]


def test_numbers_booleans_and_times_keep_their_values():
    at = datetime(2026, 11, 30, 20, 15, 1, 123456, tzinfo=UTC)
    assert roundtrip([Decimal("-0.01"), Decimal("12345678.90")], "numeric") == [
        Decimal("-0.01"),
        Decimal("12345678.90"),
    ]
    assert roundtrip([1, 2**62, None], "bigint") == [1, 2**62, None]
    assert roundtrip([True, False], "boolean") == [True, False]
    assert roundtrip([at], "timestamptz") == [at]


def test_among_finds_rows_by_awkward_keys():
    for key in AWKWARD[:3]:
        Account.objects.create(key=key, kind="liability")
    where, params = db.among("key", [AWKWARD[0], AWKWARD[2], "absent"])
    found = Account.objects.extra(where=[where], params=params).values_list("key", flat=True)
    assert sorted(found) == sorted([AWKWARD[0], AWKWARD[2]])
