"""A few seconds' cache of the public product list (what a promotion's crowd reads over and
over): its pages as rendered JSON, by catalog version and query. Product, SKU, image and
category writes bump the version, so a change shows on the next request wherever the cache is
shared (Redis), and within CATALOG_PAGE_CACHE_SECONDS everywhere (a per-process memory
cache). Sales counts and stock change with every order and do not bump it: ranking by sales
may lag by those seconds; whether a SKU can be bought is decided when the order is placed."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from ninja.renderers import JSONRenderer

VERSION = "catalog:version"
RENDERER = JSONRenderer()


def version() -> int:
    return cache.get_or_set(VERSION, 1, timeout=None)


def bump(**_) -> None:
    """A catalog write: the pages cached so far are not read again. Now (the writer's own next
    read) and again after the commit: a reader between the two may have cached the old rows
    under the new version."""
    _incr()
    transaction.on_commit(_incr)


def _incr() -> None:
    try:
        cache.incr(VERSION)
    except ValueError:  # evicted or never set
        cache.set(VERSION, 2, timeout=None)


def cached(request, render) -> HttpResponse:
    """`render()`'s data as the API renders it (Ninja's JSON renderer), cached by the
    request's absolute URL (image URLs in the page carry its scheme and host)."""
    seconds = settings.CATALOG_PAGE_CACHE_SECONDS
    content = None
    if seconds:
        url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        key = f"catalog:page:{version()}:{url}"
        content = cache.get(key)
    if content is None:
        content = RENDERER.render(request, render(), response_status=200)
        if seconds:
            cache.set(key, content, seconds)
    return HttpResponse(content, content_type=f"{RENDERER.media_type}; charset={RENDERER.charset}")
