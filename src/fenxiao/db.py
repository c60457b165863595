"""SQL pieces the ORM is too slow for.

Batches of thousands of rows on PostgreSQL, where psycopg parses a query with thousands of
placeholders in Python (slower than the database runs it): one array parameter per column
instead, sent as PostgreSQL's array text (one string built by `join`, which PostgreSQL parses
in C; psycopg would adapt a list element by element in Python).

Reads and writes on every request or purchase (`read`, `read_children`, `insert`, `update`):
model instances from a hand-written WHERE clause and written back, without compiling a query
each time."""

from contextlib import contextmanager
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.models import DecimalField


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
    types = [_db_type(model, c) for c in columns]
    arrays = ", ".join(f"%s::{t}[]" for t in types)
    return f"unnest({arrays}) AS {alias}({', '.join(columns)})", [
        array(values) for values in zip(*rows, strict=True)
    ]


@cache
def _db_type(model, column: str) -> str:
    return model._meta.get_field(column).db_type(connection)  # worked out once: not cheap


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


# For a transaction of key lookups and writes of a few rows (placing an order, applying a
# payment): every prepared statement keeps its generic plan. By default PostgreSQL plans a
# statement with a list parameter (`= ANY(%s)`, unnest) again on every call, because its
# generic plan guesses ten rows in the list and looks dearer than a custom plan for one to
# three: that planning was a tenth of its CPU in a purchase (pg_stat_statements). Write such
# statements so that their generic plan finds rows by index whatever the list's length.
KEY_LOOKUPS_PLANNED_ONCE = "force_generic_plan"


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


@contextmanager
def unprepared():
    """PostgreSQL: statements run inside are neither prepared nor run as prepared ones, so each
    is planned for its own values, with no transaction needed (`set_local` needs one). For
    statements whose best plan depends on their values: a search term's. After a five-character
    term's searches the prepared count query keeps a generic plan of the trigram index, which
    answers a common two-character term (no trigram in it) by reading the whole index: 108 ms
    against 9 planned for the term (bench/search.py)."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    threshold = raw.prepare_threshold
    raw.prepare_threshold = None  # psycopg: prepare nothing, and run nothing prepared
    try:
        yield
    finally:
        raw.prepare_threshold = threshold


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


def insert(objs, *, unless_taken: str = "") -> list:
    """INSERT unsaved instances of one model, as bulk_create does (one statement, no signals,
    primary keys set from RETURNING) without compiling a query each call: the purchase's
    writes (an order, its lines, stock moves, commissions). Returns `objs`.

    `unless_taken`: a field with a unique constraint of its own; rows whose value is taken
    already are skipped, left unsaved, and not returned (ON CONFLICT DO NOTHING: a duplicate
    is an answer, as in `insert_new`)."""
    objs = list(objs)
    if not objs:
        return objs
    writer, conn = _writer(type(objs[0])), connections[DEFAULT_DB_ALIAS]
    rows = []
    for obj in objs:
        if writer.auto and obj.pk is not None:
            raise ValueError(f"{obj._meta.label} {obj.pk} is saved already")
        obj._prepare_related_fields_for_save(operation_name="insert")
        for name, places in writer.decimals:  # held as a read gives them: 0 → 0.00
            if getattr(obj, name) is not None:
                setattr(obj, name, Decimal(getattr(obj, name)).quantize(places, ROUND_HALF_UP))
        rows.append([f.get_db_prep_save(f.pre_save(obj, True), conn) for f in writer.fields])
    sql = f"INSERT INTO {writer.table} ({writer.columns}) "
    returning = f" RETURNING {writer.pk}"
    if unless_taken:
        key = type(objs[0])._meta.get_field(unless_taken)
        column = conn.ops.quote_name(key.column)
        returning = f" ON CONFLICT ({column}) DO NOTHING RETURNING {writer.pk}, {column}"
    pks = []
    size = max(1, 30_000 // len(writer.fields))  # under both databases' parameter limits
    with conn.cursor() as cursor:
        for start in range(0, len(rows), size):
            part = rows[start : start + size]
            if len(part) > 1 and conn.vendor == "postgresql":
                # one array a column, as bulk_create does: one statement text whatever the
                # number of rows (prepared once), and no parameters for psycopg to parse
                # the query around (it caches that only for 50 parameters or fewer)
                values = writer.unnest
                params = [_column_array(column) for column in zip(*part, strict=True)]
            else:
                values = "VALUES " + ", ".join([writer.row] * len(part))
                params = [value for row in part for value in row]
            # RETURNING: PostgreSQL, SQLite 3.35 and later; in the rows' order
            cursor.execute(f"{sql}{values}{returning}", params)
            pks += cursor.fetchall()
    if unless_taken:
        inserted = {value: pk for pk, value in pks}
        objs = [obj for obj in objs if getattr(obj, key.attname) in inserted]
        pks = [inserted[getattr(obj, key.attname)] for obj in objs]
    else:
        pks = [pk for (pk,) in pks]
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, conn.alias
    return objs


_SCALARS = (str, int, float, Decimal, datetime, date, UUID)


def _column_array(values: tuple):
    """One column's values as an array parameter: PostgreSQL's array text when each is a
    plain value (joined here, parsed in C), else the list for psycopg to adapt (JSON)."""
    if all(value is None or isinstance(value, _SCALARS) for value in values):
        return array(values)
    return list(values)


def update(obj, fields: list[str]) -> None:
    """UPDATE these fields of a saved instance, as save(update_fields=…) does but sending no
    signals and compiling nothing; DatabaseError if its row is gone."""
    meta, conn = type(obj)._meta, connections[DEFAULT_DB_ALIAS]
    quote = conn.ops.quote_name
    chosen = [meta.get_field(name) for name in fields]
    sets = ", ".join(f"{quote(f.column)} = %s" for f in chosen)
    params = [f.get_db_prep_save(f.pre_save(obj, False), conn) for f in chosen]
    with conn.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s",
            [*params, obj.pk],
        )
        if cursor.rowcount != 1:
            raise DatabaseError(f"{meta.label} {obj.pk}: no row to update")


class _Writer:
    def __init__(self, model):
        quote = connection.ops.quote_name
        meta = model._meta
        self.auto = meta.auto_field is not None
        self.fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
        self.table = quote(meta.db_table)
        self.columns = ", ".join(quote(f.column) for f in self.fields)
        self.pk = quote(meta.pk.column)
        self.row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        types = ", ".join(f"%s::{f.db_type(connection)}[]" for f in self.fields)
        self.unnest = f"SELECT * FROM unnest({types})"
        self.decimals = [
            (f.attname, Decimal(1).scaleb(-f.decimal_places))
            for f in self.fields
            if isinstance(f, DecimalField)
        ]


@cache
def _writer(model) -> _Writer:
    return _Writer(model)


BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1


def read(
    model,
    where: str,
    params,
    *,
    related: tuple[str, ...] = (),
    lock: bool | tuple[str, ...] = False,
    tail="",
):
    """Instances of `model` from a hand-written WHERE clause, for the hottest reads: the
    column list and Django's value converters are worked out once per model, where the ORM
    compiles the query on every call (5 to 10 × the CPU: bench/reads.py).

    `related`: foreign keys joined and cached as select_related would (None for a null one).
    Columns in `where` and `tail` are qualified by table name. `lock`: FOR UPDATE of the
    model's rows only, or also of the joined rows of the `related` names it lists, each row's
    locks taken in that order, the model's first (nothing on SQLite, which locks the
    database). An integer beyond 64 bits matches nothing, as in the ORM (`where` is
    equalities, ANDed: a key, not a range)."""
    if any(isinstance(p, int) and not BIGINT_MIN <= p <= BIGINT_MAX for p in params):
        return []
    conn = connections[DEFAULT_DB_ALIAS]  # once: each use of the proxy looks up the thread's
    adapt = conn.ops.adapt_datetimefield_value  # SQLite keeps UTC text
    params = [adapt(p) if isinstance(p, datetime) else p for p in params]
    main, links, readers = _joined(model, tuple(related))
    sql = f"SELECT {columns(model, related)} FROM {main.table}"
    for link, joined in zip(links, readers[1:], strict=True):
        column = conn.ops.quote_name(link.column)
        join = "LEFT JOIN" if link.null else "JOIN"
        sql += f" {join} {joined.table} ON {joined.table}.{joined.pk} = {main.table}.{column}"
    sql += f" WHERE {where}{tail}"
    if lock and conn.features.has_select_for_update:
        also = [] if lock is True else lock
        joined = {link.name: reader.table for link, reader in zip(links, readers[1:], strict=True)}
        sql += " FOR UPDATE OF " + ", ".join([main.table] + [joined[name] for name in also])
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [instance(model, row, related, conn) for row in rows]


def columns(model, related: tuple[str, ...] = ()) -> str:
    """The SELECT list `read` uses: `model`'s columns, then those of each foreign key in
    `related`, qualified by table name. For a hand-written query whose rows (or their tails)
    `instance` then turns into instances."""
    return ", ".join(reader.columns for reader in _joined(model, tuple(related))[2])


def width(model) -> int:
    """How many values `columns(model)` selects: where the next model's columns start in a
    row that joins several."""
    return _reader(model).width


def instance(model, row, related: tuple[str, ...] = (), conn=None):
    """The instance of `model` in `row`, laid out as `columns(model, related)` gives, with its
    `related` cached as select_related caches them; None where the model's key is null (a LEFT
    JOIN that found nothing)."""
    conn = conn or connections[DEFAULT_DB_ALIAS]
    main, links, readers = _joined(model, tuple(related))
    found, start = [], 0
    for reader in readers:
        found.append(reader.instance(row[start : start + reader.width], conn))
        start += reader.width
    if found[0] is not None:
        for link, other in zip(links, found[1:], strict=True):
            link.set_cached_value(found[0], other)
    return found[0]


@cache
def _joined(model, related: tuple[str, ...]):
    main, links = _reader(model), [model._meta.get_field(name) for name in related]
    return main, links, [main] + [_reader(link.related_model) for link in links]


def read_one(model, where: str, params, **options):
    """The first of `read(...)`, or None."""
    found = read(model, where, params, **options)
    return found[0] if found else None


def read_children(parents, name: str) -> list:
    """The rows of the reverse foreign key `name` (order.lines) of one parent or a list of
    them, in the child's Meta ordering, read as `read` does and kept as prefetch_related keeps
    them: `parent.<name>.all()` then asks the database nothing. Returns all the rows."""
    parents = parents if isinstance(parents, list) else [parents]
    if not parents:
        return []
    relation = parents[0]._meta.get_field(name)
    child, link = relation.related_model, relation.field
    table = _reader(child).table
    column = f"{table}.{connection.ops.quote_name(link.column)}"
    where, params = among(column, [p.pk for p in parents], _db_type(child, link.name))
    rows = read(child, where, params, tail=f" ORDER BY {_ordering(child)}")
    by_parent = {p.pk: (p, []) for p in parents}
    for row in rows:
        by_parent[getattr(row, link.attname)][1].append(row)
    for parent, kept in by_parent.values():
        keep_children(parent, name, kept)
    return rows


def keep_children(parent, name: str, rows: list) -> None:
    """Keep `rows` as `parent`'s reverse foreign key `name`, as prefetch_related keeps what it
    read: `parent.<name>.all()` gives them without a query (rows just written, say)."""
    relation = parent._meta.get_field(name)
    for row in rows:
        relation.field.set_cached_value(row, parent)
    queryset = getattr(parent, name).get_queryset()  # its filter is built only if used
    queryset._result_cache, queryset._prefetch_done = rows, True
    if not hasattr(parent, "_prefetched_objects_cache"):
        parent._prefetched_objects_cache = {}
    parent._prefetched_objects_cache[relation.cache_name] = queryset


@cache
def _ordering(model) -> str:
    """The model's Meta ordering (field names, "-" for descending) as SQL; else by key."""
    meta, quote = model._meta, connection.ops.quote_name
    terms = []
    for name in meta.ordering or ["pk"]:
        field = meta.pk if name.lstrip("-") == "pk" else meta.get_field(name.lstrip("-"))
        desc = " DESC" if name.startswith("-") else ""
        terms.append(f"{quote(meta.db_table)}.{quote(field.column)}{desc}")
    return ", ".join(terms)


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

    def instance(self, values, conn):
        if values[self.pk_index] is None:
            return None  # a null foreign key's LEFT JOIN
        if self.converters:
            values = list(values)
            for i, col, converters in self.converters:
                for convert in converters:
                    values[i] = convert(values[i], col, conn)
        return self.model.from_db(conn.alias, self.names, values)


@cache
def _reader(model) -> _Reader:
    return _Reader(model)
