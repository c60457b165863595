"""Serve the H5 client: `/` (index.html), /h5/<asset>, the share links /products/<id> and
/coupons/<id>, and the shop's icon at /favicon.ico."""

import io
import re
from functools import lru_cache
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since
from PIL import Image

from fenxiao.storefront import h5, selectors

REF_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


@require_safe
def index(request):
    index_file = h5.index_file()
    if index_file is None:
        # the demo before `make client`: say what to run instead of an empty page
        response = render(request, "storefront/no_build.html")
    else:
        response = HttpResponse(index_file.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = h5.NO_CACHE
    return response


@require_safe
def asset(request, path: str):
    file = h5.asset_file(path)
    if file is None:
        raise Http404("H5 asset not found")
    stat = file.stat()
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime):
        response = HttpResponse(status=304)
    else:
        gzipped = file.with_name(file.name + ".gz")
        accepts_gzip = "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")
        if accepts_gzip and gzipped.is_file():
            response = FileResponse(gzipped.open("rb"), content_type=h5.content_type(file))
            response["Content-Encoding"] = "gzip"
        else:
            response = FileResponse(file.open("rb"), content_type=h5.content_type(file))
        response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = h5.cache_control(file)
    response["Vary"] = "Accept-Encoding"
    return response


def _ref(request) -> str:
    """The link's referral code, or "" when it is not one (never passed into the page)."""
    ref = request.GET.get("ref", "")
    return quote(ref) if REF_CODE.match(ref) else ""


@require_safe
def product_share(request, product_id: int):
    """A shared product link opens the client's product page, keeping the referral code."""
    return HttpResponseRedirect(h5.product_route(product_id, _ref(request)))


@require_safe
def coupon_share(request, coupon_id: int):
    """A distributor's coupon link opens the client's coupon page, keeping the code."""
    return HttpResponseRedirect(h5.coupon_route(coupon_id, _ref(request)))


@lru_cache(maxsize=8)
def _plain_icon(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(out, format="PNG")
    return out.getvalue()


@require_safe
def favicon(request):
    """Browsers ask every site for /favicon.ico: the shop's logo, else a square of its colour."""
    shop = selectors.shop_settings()
    if shop.logo:
        response = HttpResponseRedirect(shop.logo.url)
    else:
        response = HttpResponse(_plain_icon(shop.theme_color), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response
