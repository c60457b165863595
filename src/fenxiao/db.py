"""SQL pieces the ORM is too slow for.

Batches of thousands of rows on PostgreSQL, where psycopg parses a query with thousands of
placeholders in Python (slower than the database runs it): one array parameter per column
instead, sent as PostgreSQL's array text (one string built by `join`, which PostgreSQL parses
in C; psycopg would adapt a list element by element in Python).

Reads on every request or purchase (`read`): model instances from a hand-written WHERE
clause, without compiling a query each time."""

from datetime import datetime
from functools import cache

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


BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1


def read(model, where: str, params, *, related: tuple[str, ...] = (), lock=False, tail=""):
    """Instances of `model` from a hand-written WHERE clause, for the hottest reads: the
    column list and Django's value converters are worked out once per model, where the ORM
    compiles the query on every call (5 to 10 × the CPU: bench/reads.py).

    `related`: foreign keys joined and cached as select_related would (None for a null one).
    Columns in `where` and `tail` are qualified by table name. `lock`: FOR UPDATE of the
    model's rows only (nothing on SQLite, which locks the database). An integer beyond 64 bits
    matches nothing, as in the ORM (`where` is equalities, ANDed: a key, not a range)."""
    if any(isinstance(p, int) and not BIGINT_MIN <= p <= BIGINT_MAX for p in params):
        return []
    adapt = connection.ops.adapt_datetimefield_value  # SQLite keeps UTC text
    params = [adapt(p) if isinstance(p, datetime) else p for p in params]
    main = _reader(model)
    links = [model._meta.get_field(name) for name in related]
    readers = [main] + [_reader(link.related_model) for link in links]
    sql = f"SELECT {', '.join(r.columns for r in readers)} FROM {main.table}"
    for link, joined in zip(links, readers[1:], strict=True):
        column = connection.ops.quote_name(link.column)
        join = "LEFT JOIN" if link.null else "JOIN"
        sql += f" {join} {joined.table} ON {joined.table}.{joined.pk} = {main.table}.{column}"
    sql += f" WHERE {where}{tail}"
    if lock and connection.features.has_select_for_update:
        sql += f" FOR UPDATE OF {main.table}" if links else " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        instances, start = [], 0
        for reader in readers:
            instances.append(reader.instance(row[start : start + reader.width]))
            start += reader.width
        for link, other in zip(links, instances[1:], strict=True):
            link.set_cached_value(instances[0], other)
        found.append(instances[0])
    return found


def read_one(model, where: str, params, **options):
    """The first of `read(...)`, or None."""
    found = read(model, where, params, **options)
    return found[0] if found else None


class _Reader:
    def __init__(self, model):
        quote = connection.ops.quote_name
        fields = model._meta.concrete_fields
        self.model = model
        self.table = quote(model._meta.db_table)
        self.pk = quote(model._meta.pk.column)
        self.columns = ", ".join(f"{self.table}.{quote(f.column)}" for f in fields)
        self.width = len(fields)
        self.pk_index = fields.index(model._meta.pk)
        self.names = [f.attname for f in fields]
        self.converters = []
        for i, field in enumerate(fields):
            col = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                self.converters.append((i, col, found))

    def instance(self, values):
        if values[self.pk_index] is None:
            return None  # a null foreign key's LEFT JOIN
        if self.converters:
            values = list(values)
            for i, col, converters in self.converters:
                for convert in converters:
                    values[i] = convert(values[i], col, connection)
        return self.model.from_db(connection.alias, self.names, values)


@cache
def _reader(model) -> _Reader:
    return _Reader(model)
