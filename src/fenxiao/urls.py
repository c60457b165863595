"""URL map: the H5 shop at / (assets under /h5/), API under /api/v1/, console under /admin/."""

from django.conf import settings
from django.contrib import admin
from django.http import JsonResponse
from django.urls import path, re_path
from django.views.defaults import page_not_found, server_error
from django.views.static import serve

from fenxiao.api import api
from fenxiao.storefront import views as storefront

urlpatterns = [
    path("", storefront.index, name="home"),
    re_path(r"^h5/(?P<path>.+)$", storefront.asset, name="h5-asset"),
    path("products/<int:product_id>", storefront.product_share, name="product-share"),
    path("coupons/<int:coupon_id>", storefront.coupon_share, name="coupon-share"),
    path("favicon.ico", storefront.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )


def handler404(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": "接口不存在"}, status=404)
    return page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "message": "服务器内部错误"}, status=500)
    return server_error(request)
