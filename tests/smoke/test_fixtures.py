import pytest

pytestmark = pytest.mark.django_db


def test_paid_order_fixture_is_paid(paid_order, sku):
    assert paid_order["status"] == "paid"
    assert paid_order["total"] == "599.80"
    sku.refresh_from_db()
    assert sku.stock == 8
