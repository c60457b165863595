"""The demo shop's stock history adds up: every SKU's moves sum to its stock (reconcile)."""

import pytest

from fenxiao.catalog.models import Sku, StockMove
from fenxiao.catalog.selectors import stock_differences
from fenxiao.demo import load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_stock_reconciles_with_its_history():
    load_demo()

    assert Sku.objects.exists()
    assert set(StockMove.objects.values_list("kind", flat=True)) >= {"initial", "order", "cancel"}
    assert stock_differences() == []
