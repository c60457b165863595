"""Phone numbers: full-width input brought to ASCII, then only ASCII digits accepted.

`"１３９００１３９０００"` and `"13900139000"` are one number; Arabic-Indic or other non-ASCII
digits are refused, so no account can look like another's.
"""

import re

from django.core.validators import RegexValidator
from django.db import models

FULL_WIDTH = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)}, "＋": "+"})
PHONE_PATTERN = r"^\+?[0-9]{5,15}$"  # E.164 allows at most 15 digits; [0-9], not \d (Unicode)
PHONE_MESSAGE = "请输入 5 到 15 位数字的手机号（可带 +）"

phone_validator = RegexValidator(
    re.compile(PHONE_PATTERN, re.ASCII), PHONE_MESSAGE, "invalid_phone"
)


def normalize_phone(value: str) -> str:
    """Full-width digits and plus to ASCII, surrounding spaces (also the ideographic one) off."""
    return value.translate(FULL_WIDTH).strip().strip("\u3000").strip()


class PhoneField(models.CharField):
    """A CharField that normalises what forms and the console submit and refuses the rest."""

    default_validators = [phone_validator]

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_phone(value) if isinstance(value, str) else value
