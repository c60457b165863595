"""Human-readable unique numbers for orders and refunds: time plus randomness."""

import secrets

from django.utils import timezone


def new_number(prefix: str = "") -> str:
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    return f"{prefix}{stamp}{secrets.randbelow(10**8):08d}"
