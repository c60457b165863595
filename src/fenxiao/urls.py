"""URL map: API under /api/v1/, merchant console under /admin/, media in the demo."""

from django.conf import settings
from django.contrib import admin
from django.http import JsonResponse
from django.urls import path, re_path
from django.views.defaults import page_not_found
from django.views.static import serve

from fenxiao.api import api
from fenxiao.console.views import home

urlpatterns = [
    path("", home, name="home"),
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
    return JsonResponse({"code": "server_error", "message": "服务器内部错误"}, status=500)
