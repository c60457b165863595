"""Freight of an order's goods from their products' templates (运费模板), charged by piece.

One template: its first `first_units` units cost `first_fee`, every further group of
`additional_units` units (or part of one) costs `additional_fee`; the rule listing the
province replaces the default; the template's lines cost nothing when their paid amount
reaches `free_above`. Products without a template ship free.

Several templates in one order — the common mall rule (有赞, 微店): the template with the
largest first fee charges its first fee and its additional units; every other template charges
all of its units at its own additional rate, so a first fee is paid once per order. A tie on
the first fee goes to the lower template id. Worked example, to 广东省:
  A: first 1 unit ¥10, then ¥5 per unit — 3 units;  B: first 2 units ¥8, then ¥3 per 2 units
  — 3 units. A has the larger first fee: 10 + 2 × 5 = 20; B, all 3 units at its additional
  rate: ceil(3 / 2) × 3 = 6. Freight ¥26.00.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from fenxiao import db
from fenxiao.catalog.errors import FreightUndeliverable
from fenxiao.catalog.models import FreightTemplate, Product
from fenxiao.catalog.provinces import province_canonical
from fenxiao.money import ZERO

Line = tuple[int, int, Decimal]  # product id, quantity, paid amount


@dataclass(frozen=True)
class Charge:
    first_units: int
    first_fee: Decimal
    additional_units: int
    additional_fee: Decimal

    def additional(self, units: int) -> Decimal:
        groups = -(-max(units, 0) // self.additional_units)  # ceiling division
        return self.additional_fee * groups


def charge_for(template: FreightTemplate, province: str | None) -> Charge:
    """The rule of the template that lists the province, else its default."""
    for rule in template.rules.all():
        if province is not None and province in rule.provinces:
            return _charge(rule)
    return _charge(template)


def _charge(source) -> Charge:
    return Charge(
        source.first_units, source.first_fee, source.additional_units, source.additional_fee
    )


def _templates_of(product_ids) -> dict[int, int | None]:
    """The freight template of each of these products."""
    where, params = db.among("id", product_ids, "bigint")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, freight_template_id FROM catalog_product WHERE {where}", params)
        return dict(cursor.fetchall())


def _named(template_id: int, product_ids) -> str:
    """The name of the first (by id) of these products that ships with the template."""
    return (
        Product.objects.filter(pk__in=list(product_ids), freight_template_id=template_id)
        .order_by("pk")
        .values_list("name", flat=True)
        .first()
    )


def freight_for(
    *, lines: list[Line], province: str | None, templates: dict[int, int | None] | None = None
) -> Decimal:
    """Freight for these lines shipped to `province` (None: unknown, the default rules).
    `templates`: each line's product's freight template, where the caller has read the products
    already (else they are read here). Raises FreightUndeliverable when a template does not
    deliver there."""
    products = {product_id for product_id, _, _ in lines}
    template_of = _templates_of(products) if templates is None else templates
    units: dict[int, int] = {}
    amounts: dict[int, Decimal] = {}
    for product_id, quantity, amount in lines:
        template_id = template_of.get(product_id)
        if template_id is not None:
            units[template_id] = units.get(template_id, 0) + quantity
            amounts[template_id] = amounts.get(template_id, ZERO) + amount
    if not units:
        return ZERO
    where, params = db.among("catalog_freighttemplate.id", units, "bigint")
    templates = db.read(FreightTemplate, where, params)
    db.read_children(templates, "rules")
    place = province_canonical(province)
    charged: list[tuple[int, Charge]] = []
    for template in sorted(templates, key=lambda t: t.pk):
        if place is not None and place in template.no_delivery:
            raise FreightUndeliverable(
                f"「{_named(template.pk, products)}」不配送至{place}，请更换收货地址或移除该商品"
            )
        if template.free_above is not None and amounts[template.pk] >= template.free_above:
            continue
        charged.append((units[template.pk], charge_for(template, place)))
    if not charged:
        return ZERO
    lead = max(range(len(charged)), key=lambda i: (charged[i][1].first_fee, -i))
    total = ZERO
    for i, (count, charge) in enumerate(charged):
        if i == lead:
            total += charge.first_fee + charge.additional(count - charge.first_units)
        else:
            total += charge.additional(count)
    return total
