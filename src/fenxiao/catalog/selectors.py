"""Reads of the catalog: the public product list with substring search, details, stock."""

import json

from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Lookup,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from fenxiao import db
from fenxiao.catalog.errors import ProductNotFound, SkuNotFound
from fenxiao.catalog.models import FreightTemplate, Product, ProductImage, Sku, StockMove

# FTS5's trigram tokenizer (SQLite) and pg_trgm (PostgreSQL) index three-character runs;
# shorter terms are answered from catalog_product_grams, which holds every 1- and
# 2-character run (migration catalog/0003).
TRIGRAM = 3


def _sqlite_token(term: str) -> bool:
    """Whether FTS5's ascii tokenizer keeps `term` as one token: no ASCII punctuation or space."""
    return all(not ch.isascii() or ch.isalnum() for ch in term)


class _AmongIds(Lookup):
    """`id = ANY(ARRAY(subquery))`: PostgreSQL runs the subquery first, then reads each row by
    its key. As `id IN (subquery)` it plans a join, and for a term in a few thousand products
    (茶, 3,790) hashed a scan of every product or ran it in parallel: 22 ms against 11
    (EXPLAIN ANALYZE, 100,000 products). Not for estimates: the planner cannot size the array."""

    lookup_name = "among"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)  # "(SELECT …)"
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


Product._meta.get_field("id").register_lookup(_AmongIds)


def _matching(qs: QuerySet, q: str, *, estimate=False) -> QuerySet:
    """Products of `qs` holding `q`. `estimate`: in the form whose row count the planner
    estimates from the grams index's statistics (see term_likely_in_more_than)."""
    term = q.strip().lower()
    phrase = '"' + term.replace('"', '""') + '"'
    if connection.vendor == "sqlite" and len(term) >= TRIGRAM:
        return qs.filter(
            id__in=RawSQL(
                "SELECT rowid FROM catalog_product_fts WHERE catalog_product_fts MATCH %s",
                [phrase],
            )
        )
    if connection.vendor == "sqlite" and _sqlite_token(term):
        return qs.filter(
            id__in=RawSQL(
                "SELECT rowid FROM catalog_product_grams WHERE catalog_product_grams MATCH %s",
                [phrase],
            )
        )
    if connection.vendor == "postgresql" and len(term) < TRIGRAM:
        ids = RawSQL(
            "SELECT product_id FROM catalog_product_grams WHERE grams @> ARRAY[%s]::text[]", [term]
        )
        return qs.filter(id__in=ids) if estimate else qs.filter(id__among=ids)
    # PostgreSQL: LIKE on the lower-cased column uses the pg_trgm GIN index. SQLite: a short
    # term with ASCII punctuation, which no index holds, is rare enough to scan for.
    return qs.filter(search_text__contains=term)


def term_likely_in_more_than(term: str, n: int) -> bool:
    """Whether more than `n` on-shelf products likely hold `term`, from statistics each database
    keeps anyway: PostgreSQL's planner estimate, the SQLite grams index's document count (off
    shelf included; terms of three characters or more are not looked up). It only picks how a
    list counts its matches, never what they are."""
    term = term.strip().lower()
    if connection.vendor == "postgresql":
        on_shelf = Product.objects.filter(status=Product.Status.ON_SHELF)
        matching = _matching(on_shelf, term, estimate=True)
        plan = json.loads(matching.values("pk").explain(format="json"))
        return plan[0]["Plan"]["Plan Rows"] > n
    if connection.vendor != "sqlite" or len(term) >= TRIGRAM or not _sqlite_token(term):
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT doc FROM catalog_product_grams_vocab WHERE term = %s", [term])
        row = cursor.fetchone()
    return row is not None and row[0] > n


def product_list(
    *, q: str = "", category_id: int | None = None, on_shelf_only=True, many=False
) -> QuerySet:
    """Products matching `q`, name hits first, then best sellers; in the shelf order without `q`.
    `many`: more match than the count cap (settings.CATALOG_COUNT_CAP), so rank them in the shelf
    order too, testing each row's text as the shelf-order index is walked: a page then reads
    about a page of rows, where ranking every match (a term in most products) sorts them all."""
    qs = Product.objects.select_related("category")
    if on_shelf_only:
        qs = qs.filter(status=Product.Status.ON_SHELF)
    if category_id:
        qs = qs.filter(category_id=category_id) | qs.filter(category__parent_id=category_id)
    order = ["sort", "-id"]
    term = q.strip()
    if term and many:
        qs = qs.filter(search_text__contains=term.lower())
    elif term:
        qs = _matching(qs, term)
        name_hit = Case(
            When(name__icontains=term, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        qs = qs.annotate(name_rank=name_hit)
        order = ["name_rank", "-sales", "-id"]
    return qs.order_by(*order)


def product_cards(*, q: str = "", category_id: int | None = None, many=False) -> QuerySet:
    """The public list with each product's lowest sellable price as `price_from` and its first
    image's path as `image_path`."""
    # subqueries, not a join + GROUP BY or a prefetch: computed for the page's rows only, in the
    # page's query, and count() drops them
    lowest = Sku.objects.filter(product=OuterRef("pk"), is_active=True).order_by("price")
    first_image = ProductImage.objects.filter(product=OuterRef("pk")).order_by("sort", "id")
    # not deferring the description a card does not show: rows that narrow made PostgreSQL
    # sort every product on the shelf before filtering for 茶 (3,790 hits; 250 ms against 45)
    return product_list(q=q, category_id=category_id, many=many).annotate(
        price_from=Subquery(lowest.values("price")[:1]),
        image_path=Subquery(first_image.values("image")[:1]),
    )


def product_detail(*, product_id: int, on_shelf_only=True) -> Product:
    qs = Product.objects.select_related("category").prefetch_related(
        "images", Prefetch("skus", queryset=Sku.objects.filter(is_active=True))
    )
    if on_shelf_only:
        qs = qs.filter(status=Product.Status.ON_SHELF)
    product = qs.filter(pk=product_id).first()
    if product is None:
        raise ProductNotFound()
    return product


def price_range(product: Product) -> tuple:
    prices = [s.price for s in product.skus.all() if s.is_active]
    return (min(prices), max(prices)) if prices else (None, None)


def skus_for_sale(*, sku_ids) -> dict[int, Sku]:
    """The sellable SKUs among `sku_ids` (active, product on the shelf), with their product."""
    where, params = db.among("catalog_sku.id", sku_ids, "bigint")
    where += " AND catalog_sku.is_active AND catalog_product.status = %s"
    skus = db.read(Sku, where, [*params, Product.Status.ON_SHELF], related=("product",))
    return {sku.pk: sku for sku in skus}


def sku_of(*, sku_id: int) -> Sku:
    sku = Sku.objects.select_related("product").filter(pk=sku_id).first()
    if sku is None:
        raise SkuNotFound()
    return sku


def stock_moves_of(*, sku_id: int) -> QuerySet:
    """A SKU's stock history, newest first."""
    if not Sku.objects.filter(pk=sku_id).exists():
        raise SkuNotFound()
    return StockMove.objects.filter(sku_id=sku_id).select_related("staff").order_by("-id")


def stock_differences() -> list[str]:
    """SKUs whose stock is not the sum of their stock moves (for `fenxiao reconcile`)."""
    moved = Coalesce(Sum("stock_moves__delta"), 0)
    rows = (
        Sku.objects.annotate(moved=moved)
        .exclude(stock=F("moved"))
        .order_by("pk")
        .values_list("pk", "stock", "moved")
    )
    return [f"sku {pk}: stock {stock} != stock moves {total}" for pk, stock, total in rows]


def freight_templates() -> QuerySet[FreightTemplate]:
    """Freight templates with their rules and how many products use each."""
    return (
        FreightTemplate.objects.annotate(products_count=Count("products"))
        .prefetch_related("rules")
        .order_by("id")
    )
