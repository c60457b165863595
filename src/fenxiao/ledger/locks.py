"""Row locks of the ledger: accounts are always locked in primary-key order."""

from django.db import connection

from fenxiao import db
from fenxiao.ledger.models import Account


def accounts_locking_users(keys: list[str]) -> list[tuple[int, str, int | None]]:
    """(id, key, owner id) of the accounts of these keys that exist, in one statement: user
    accounts (the ones whose balance is cached) locked in primary-key order, platform ones
    read and never locked (they are summed, and every posting touches them). SQLite has no
    row locks: its writers queue."""
    users = [key for key in keys if key.startswith("user:")]
    others = [key for key in keys if not key.startswith("user:")]
    table = Account._meta.db_table
    if not connection.features.has_select_for_update or not users:
        where, params = db.among("key", keys)
        sql = f"SELECT id, key, owner_id FROM {table} WHERE {where}"
    else:
        locked, params = db.among("key", users)
        sql = f"SELECT id, key, owner_id FROM {table} WHERE {locked} ORDER BY id FOR UPDATE"
        if others:
            read, more = db.among("key", others)
            sql = (
                f"WITH locked AS ({sql}) SELECT * FROM locked "
                f"UNION ALL SELECT id, key, owner_id FROM {table} WHERE {read}"
            )
            params = [*params, *more]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
