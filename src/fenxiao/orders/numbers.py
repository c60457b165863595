"""Human-readable numbers for orders and refunds: time plus randomness. Unique by luck only
(two orders in the same second draw the same 8 digits once in 10⁸ pairs, which a rush of a
thousand orders a second meets within minutes): the writer retries on a taken number."""

import secrets
from datetime import datetime

from django.utils import timezone


def new_number(prefix: str = "", *, now: datetime | None = None) -> str:
    stamp = timezone.localtime(now).strftime("%Y%m%d%H%M%S")
    return f"{prefix}{stamp}{secrets.randbelow(10**8):08d}"
