"""The console's shop and staff fixtures, for the catalog's console tests."""

from tests.console.conftest import console, make_staff, shop, shopper  # noqa: F401
