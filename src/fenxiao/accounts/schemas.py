from typing import Annotated

from ninja import Schema
from pydantic import BeforeValidator, Field, StringConstraints

from fenxiao.accounts.phones import PHONE_PATTERN, normalize_phone


def _normalized(value):
    return normalize_phone(value) if isinstance(value, str) else value


# full-width digits become ASCII first; then only ASCII digits pass (Arabic-Indic and other
# Unicode digits would make look-alike accounts)
Phone = Annotated[str, BeforeValidator(_normalized), StringConstraints(pattern=PHONE_PATTERN)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=128)]
# a database id in a path: beyond a 64-bit integer the database would fail, not find nothing
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class RegisterIn(Schema):
    phone: Phone
    password: Password
    nickname: Annotated[str, StringConstraints(max_length=64)] = ""
    ref: Annotated[str, StringConstraints(max_length=32)] | None = None


class LoginIn(Schema):
    phone: Phone
    password: Password
    ref: Annotated[str, StringConstraints(max_length=32)] | None = None


class WechatLoginIn(Schema):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
    ref: Annotated[str, StringConstraints(max_length=32)] | None = None


class WechatPhoneIn(Schema):
    # the code of the mini-program's <button open-type="getPhoneNumber"> event
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


class UserOut(Schema):
    id: int
    phone: str | None
    nickname: str
    avatar: str
    is_staff: bool


class AuthOut(Schema):
    token: str
    user: UserOut


class AddressIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    phone: Phone
    province: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    city: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    district: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""
    detail: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class AddressCreateIn(AddressIn):
    is_default: bool = Field(default=False)


class AddressOut(AddressIn):
    id: int
    is_default: bool
