"""Page-number pagination of the API's lists: one filter schema, one function, one shape
`{count, page, page_size, items}`."""

from typing import Annotated

from ninja import Schema
from pydantic import Field


class PageFilters(Schema):
    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    page_size: Annotated[int, Field(ge=1, le=100)] = 20


def paginate(qs, filters: PageFilters, render=None, *, narrow_from: int | None = None) -> dict:
    """One page of `qs`, each item through `render` when given. From `narrow_from` matches on,
    the page's ids are ranked first and the rows fetched after: sorting many wide rows (a
    product's description, say) would spill to disk."""
    count = qs.count()
    offset = (filters.page - 1) * filters.page_size
    window = slice(offset, offset + filters.page_size)
    if narrow_from is not None and count >= narrow_from:
        ids = list(qs.values_list("pk", flat=True)[window])
        rows = {row.pk: row for row in qs.filter(pk__in=ids)}
        items = [rows[pk] for pk in ids]
    else:
        items = list(qs[window])
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "items": [render(item) for item in items] if render else items,
    }
