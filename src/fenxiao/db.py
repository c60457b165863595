"""SQL pieces for batches of thousands of rows on PostgreSQL, where psycopg parses a query
with thousands of placeholders in Python (slower than the database runs it): one array
parameter per column instead."""

from django.db import connection


def among(column: str, values) -> tuple[str, list]:
    """`column` is one of `values`: (SQL, params); one array parameter on PostgreSQL."""
    values = list(values)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values)) or 'NULL'})", values


def unnest(model, columns: list[str], rows: list[tuple], alias: str) -> tuple[str, list]:
    """PostgreSQL: a FROM item `alias`(columns…) holding `rows`, one typed array per column
    (types from the model's fields). Returns (SQL, params)."""
    types = [model._meta.get_field(c).db_type(connection) for c in columns]
    arrays = ", ".join(f"%s::{t}[]" for t in types)
    return f"unnest({arrays}) AS {alias}({', '.join(columns)})", [
        list(values) for values in zip(*rows, strict=True)
    ]


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
