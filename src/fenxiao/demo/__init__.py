"""The demo shop: `load_demo()` fills the database with a believable shop — categories,
products with pictures, staff of every role, buyers and orders in every state — only through
the services, so stock, payments and order states agree exactly as in real use."""

from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections, transaction

from fenxiao.accounts.models import User
from fenxiao.demo import catalog, distribution, marketing, orders, payouts, people, storefront


class DemoResetRefused(RuntimeError):
    pass


def demo_database_path() -> Path | None:
    """The SQLite file of the demo when the database is one under DATA_DIR, else None."""
    db = connections["default"].settings_dict
    name = str(db["NAME"])
    if not db["ENGINE"].endswith("sqlite3") or name.startswith("file:") or ":memory:" in name:
        return None
    path = Path(name).resolve()
    return path if path.is_relative_to(Path(settings.DATA_DIR).resolve()) else None


def _wipe_database() -> None:
    path = demo_database_path()
    if path is None:
        raise DemoResetRefused(
            "只能重置 DATA_DIR 下的演示 SQLite 数据库，"
            f"当前数据库不是（DATA_DIR={settings.DATA_DIR}）"
        )
    connections.close_all()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    call_command("migrate", "--no-input", verbosity=0)


def is_loaded() -> bool:
    return User.objects.filter(phone=people.H5_BUYER[0]).exists()


def load_demo(reset: bool = False) -> list[tuple[str, str, str]]:
    """Load the demo shop once (again after `reset`, which deletes the demo SQLite file);
    returns the log-ins to print as (role, phone, password)."""
    if reset:
        _wipe_database()
    if not is_loaded():
        _load()
        # after the commit: approving a transfer withdrawal sends its bill once it commits
        payouts.load_payouts(staff=payouts.staff_by_role())
    return people.logins()


@transaction.atomic
def _load() -> Counter:
    staff = people.staff_members()
    buyers = people.buyers()
    products = catalog.load_catalog()
    storefront.load_storefront(products=products)
    distribution.load_distribution(staff=staff, buyers=buyers)
    statuses = orders.load_orders(buyers=buyers, staff=staff, products=products)
    distribution.load_history(staff=staff, buyers=buyers)
    marketing.load_marketing()
    return statuses
