"""A page of products is the same whether it is ranked in one query or, for very many
matches, on narrow rows first (catalog.api.NARROW_RANKING_FROM)."""

import pytest

from fenxiao.catalog import api as catalog_api
from tests.catalog.factories import ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    for n in range(25):
        name = f"保温杯 {n}" if n % 3 == 0 else f"水杯 {n}"
        SkuFactory(product=ProductFactory(name=name, tagline="保温好物", sales=n % 7))


@pytest.mark.parametrize("q", ["", "保温", "杯", "好物"])
@pytest.mark.parametrize("page", [1, 2, 3])
def test_narrow_ranking_gives_the_same_pages(shelf, monkeypatch, anon, q, page):
    params = {"q": q, "page": page, "page_size": 10}
    monkeypatch.setattr(catalog_api, "NARROW_RANKING_FROM", 10**9)
    one_query = anon.get("/products", params).json()
    monkeypatch.setattr(catalog_api, "NARROW_RANKING_FROM", 1)
    two_steps = anon.get("/products", params).json()
    assert two_steps == one_query
    assert one_query["count"] > 0 and len(one_query["items"]) == min(
        10, max(0, one_query["count"] - (page - 1) * 10)
    )
