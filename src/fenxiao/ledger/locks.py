"""Row locks of the ledger: accounts are always locked in primary-key order."""

from fenxiao.ledger.models import Account


def accounts_for_update(keys) -> dict[str, Account]:
    rows = Account.objects.select_for_update().filter(key__in=list(keys)).order_by("pk")
    return {account.key: account for account in rows}
