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
