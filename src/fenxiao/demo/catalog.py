"""Builds the demo catalogue through the catalog services: categories, products, SKUs, images."""

import itertools
import random
from decimal import Decimal
from html import escape

from fenxiao.catalog.models import Category, Product
from fenxiao.catalog.services import category_save, product_create
from fenxiao.demo.catalog_data import CATALOG, OFF_CATALOG, DemoProduct
from fenxiao.demo.images import product_pictures
from fenxiao.money import truncate_to_fen

NOTICE = (
    "下单后 48 小时内发货，支持 7 天无理由退换（商品完好、不影响二次销售），质量问题包退换运费。"
)


def _description(item: DemoProduct) -> str:
    """A rich (HTML) detail page, as merchants paste into 商品详情."""
    points = "".join(f"<li>{escape(p)}</li>" for p in item.points)
    params = {**item.params, **{f"可选{k}": "、".join(v) for k, v in item.options.items()}}
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in params.items())
    return (
        f"<h3>产品亮点</h3><ul>{points}</ul>"
        f"<p>{escape(item.intro)}</p>"
        f"<h3>规格参数</h3><table>{rows}</table>"
        f"<h3>购买须知</h3><p>{NOTICE}</p>"
    )


def _price(item: DemoProduct, combo: dict[str, str]) -> Decimal:
    if isinstance(item.price, str):
        return Decimal(item.price)
    for value in combo.values():
        if value in item.price:
            return Decimal(item.price[value])
    raise ValueError(f"no price for {item.name} {combo}")


def _skus(item: DemoProduct, key: str, rng: random.Random) -> list[dict]:
    names = list(item.options)
    skus = []
    for i, values in enumerate(itertools.product(*item.options.values())):
        combo = dict(zip(names, values, strict=True))
        price = _price(item, combo)
        # stock varies by SKU; a few run low, as in any real shop
        stock = item.stock if item.stock < 10 else rng.choice([item.stock, item.stock // 2, 6])
        skus.append(
            {
                "code": f"{key.upper()}-{i + 1:02d}",
                "specs": combo,
                "price": price,
                "cost": truncate_to_fen(
                    price * Decimal(rng.choice(["0.42", "0.48", "0.55", "0.6"]))
                ),
                "stock": stock,
            }
        )
    return skus


def _category(cache: dict, name: str, parent: Category | None = None) -> Category:
    if name not in cache:
        cache[name] = category_save(category=Category(name=name, parent=parent, sort=len(cache)))
    return cache[name]


def load_catalog() -> list[Product]:
    rng = random.Random("fenxiao-demo-catalog")
    categories: dict[str, Category] = {}
    colors = {}
    plan = []
    for top, sub, palette, items in CATALOG:
        category = _category(categories, sub, _category(categories, top))
        colors[sub] = palette
        plan += [(category, palette, item) for item in items]
    plan += [(categories[sub], colors[sub], item) for sub, item in OFF_CATALOG]

    products = []
    for n, (category, palette, item) in enumerate(plan, start=1):
        key = f"p{n:02d}"
        products.append(
            product_create(
                name=item.name,
                category_id=category.pk,
                tagline=item.tagline,
                selling_points=item.points,
                description=_description(item),
                status=item.status,
                sort=n,
                skus=_skus(item, key, rng),
                images=product_pictures(key=key, colors=palette),
            )
        )
    return products
