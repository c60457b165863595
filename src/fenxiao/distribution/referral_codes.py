"""Referral codes: a user's own code, derived from their id, and back.

A user who qualifies (mode `everyone`, or `threshold` once reached) is shown a working code
before their distributor row exists, since a read never writes: the code is a keyed
permutation of the user id (a Feistel network over 40 bits keyed by SECRET_KEY), so the
visit that first uses it can find the user and create the row with that same code. Eight
characters of a 32-letter alphabet are exactly 40 bits; the codes look like random ones and
do not reveal the id or the order users joined in.
"""

from django.utils.crypto import salted_hmac

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
LENGTH = 8
HALF_BITS = 20
HALF_MASK = (1 << HALF_BITS) - 1
ROUNDS = 4
KEY_SALT = "fenxiao.distribution.referral_code"


def _round(i: int, half: int) -> int:
    digest = salted_hmac(KEY_SALT, f"{i}:{half}", algorithm="sha256").digest()
    return int.from_bytes(digest[:4], "big") & HALF_MASK


def _encode(number: int) -> str:
    chars = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def _decode(code: str) -> int | None:
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    number = 0
    for c in code:
        number = number * len(ALPHABET) + ALPHABET.index(c)
    return number


def code_for(user_id: int) -> str | None:
    """The user's derived code; None for an id beyond 40 bits (then a random code is used)."""
    if not 0 < user_id <= 2 ** (2 * HALF_BITS) - 1:
        return None
    left, right = user_id >> HALF_BITS, user_id & HALF_MASK
    for i in range(ROUNDS):
        left, right = right, left ^ _round(i, right)
    return _encode(left << HALF_BITS | right)


def user_id_for(code: str) -> int | None:
    """The user whose derived code this is, or None if it cannot be one."""
    number = _decode(code)
    if number is None:
        return None
    left, right = number >> HALF_BITS, number & HALF_MASK
    for i in reversed(range(ROUNDS)):
        left, right = right ^ _round(i, left), left
    user_id = left << HALF_BITS | right
    return user_id or None
