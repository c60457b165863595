"""Row locks of the ledger: accounts are always locked in primary-key order."""

from django.db import connection

from fenxiao import db
from fenxiao.ledger.models import Account


def accounts_for_update(keys) -> None:
    """Lock the accounts of these keys (SQLite has no row locks: its writers queue)."""
    keys = list(keys)
    if not keys or not connection.features.has_select_for_update:
        return
    where, params = db.among("key", keys)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Account._meta.db_table} WHERE {where} ORDER BY id FOR UPDATE", params
        )
