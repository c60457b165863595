"""SQL pieces for batches of thousands of rows on PostgreSQL, where psycopg parses a query
with thousands of placeholders in Python (slower than the database runs it): one array
parameter per column instead, sent as PostgreSQL's array text (one string built by `join`,
which PostgreSQL parses in C; psycopg would adapt a list element by element in Python)."""

from datetime import datetime

from django.db import connection


def among(column: str, values, type_: str = "text") -> tuple[str, list]:
    """`column` is one of `values` (of SQL type `type_`): (SQL, params); one array parameter
    on PostgreSQL."""
    values = list(values)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::{type_}[])", [array(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values)) or 'NULL'})", values


def unnest(model, columns: list[str], rows: list[tuple], alias: str) -> tuple[str, list]:
    """PostgreSQL: a FROM item `alias`(columns…) holding `rows`, one typed array per column
    (types from the model's fields). Returns (SQL, params)."""
    types = [model._meta.get_field(c).db_type(connection) for c in columns]
    arrays = ", ".join(f"%s::{t}[]" for t in types)
    return f"unnest({arrays}) AS {alias}({', '.join(columns)})", [
        array(values) for values in zip(*rows, strict=True)
    ]


def array(values) -> str:
    """PostgreSQL's text form of a one-dimensional array of `values` (numbers, strings,
    booleans, aware datetimes, None): every element quoted, `"` and `\\` escaped."""
    return "{" + ",".join(map(_element, values)) + "}"


def _element(value) -> str:
    if value is None:
        return "NULL"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, datetime):
        value = value.isoformat()
    text = str(value)
    if '"' in text or "\\" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def set_local(**settings: str) -> None:
    """PostgreSQL: change settings until the current transaction ends (SET LOCAL), in one
    statement; nothing elsewhere. For example plan_cache_mode="force_custom_plan" for
    statements whose best plan depends on their values (a year's report against a day's),
    where a prepared statement's generic plan, made once for any values, would be slow."""
    if connection.vendor != "postgresql" or not settings:
        return
    calls = ", ".join(["set_config(%s, %s, true)"] * len(settings))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls}", [v for item in settings.items() for v in item])


def insert_new(model, **values) -> bool:
    """INSERT one row of `model` (values by field name or column) unless it breaks a unique
    constraint: True when it was inserted. A duplicate is an answer, not an error: no
    savepoint to roll back to (two statements fewer than catching IntegrityError), and on
    PostgreSQL a concurrent duplicate waits for the first to commit or roll back."""
    fields = [model._meta.get_field(name) for name in values]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING RETURNING 1",
            params,
        )
        return cursor.fetchone() is not None
