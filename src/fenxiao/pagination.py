"""Page-number pagination of the API's lists: one filter schema, one function, one shape
`{count, page, page_size, items}` (and `count_capped` where the count has a cap)."""

from typing import Annotated

from ninja import Schema
from pydantic import Field


class PageFilters(Schema):
    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    page_size: Annotated[int, Field(ge=1, le=100)] = 20


def paginate(
    qs,
    filters: PageFilters,
    render=None,
    *,
    narrow_from: int | None = None,
    count_cap: int | None = None,
    when_capped=None,
    count_from=None,
) -> dict:
    """One page of `qs`, each item through `render` when given. From `narrow_from` matches on,
    the page's ids are ranked first and the rows fetched after: sorting many wide rows (a
    product's description, say) would spill to disk. With `count_cap`, at most that many
    matches (and one more) are counted: `count` stops at the cap and `count_capped` says there
    are more; the page is then read from `when_capped()` if given, the same rows in an order
    an index answers without ranking them all. `count_from`: the same rows, filtered in a way
    that is cheaper to count (for a capped count of very many, say)."""
    capped = False
    if count_cap is None:
        count = qs.count()
    else:
        # COUNT over a LIMITed subquery; no order or annotations, which only slow it down
        counted = qs if count_from is None else count_from
        count = counted.order_by().values("pk")[: count_cap + 1].count()
        capped = count > count_cap
        count = min(count, count_cap)
        if capped and when_capped is not None:
            qs, narrow_from = when_capped(), None
    offset = (filters.page - 1) * filters.page_size
    window = slice(offset, offset + filters.page_size)
    if narrow_from is not None and count >= narrow_from:
        ids = list(qs.values_list("pk", flat=True)[window])
        rows = {row.pk: row for row in qs.filter(pk__in=ids)}
        items = [rows[pk] for pk in ids]
    else:
        items = list(qs[window])
    page = {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "items": [render(item) for item in items] if render else items,
    }
    if count_cap is not None:
        page["count_capped"] = capped
    return page
