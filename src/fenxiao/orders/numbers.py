"""Human-readable numbers for orders and refunds: time plus randomness. Unique by luck only
(two orders in the same second draw the same 8 digits once in 10⁸ pairs, which a rush of a
thousand orders a second meets within minutes), so they are written with `insert_numbered`."""

import secrets
from datetime import datetime

from django.utils import timezone

from fenxiao import db


def new_number(prefix: str = "", *, now: datetime | None = None) -> str:
    stamp = timezone.localtime(now).strftime("%Y%m%d%H%M%S")
    return f"{prefix}{stamp}{secrets.randbelow(10**8):08d}"


def insert_numbered(obj, prefix: str = "", *, now: datetime | None = None):
    """INSERT an unsaved order or refund under a new number, drawn again while taken (no
    error, no savepoint: ON CONFLICT). Returns `obj`, saved."""
    while True:
        obj.number = new_number(prefix, now=now)
        if db.insert([obj], unless_taken="number"):
            return obj
