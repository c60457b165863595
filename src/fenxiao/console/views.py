"""The console's lock-out page (the site root is the H5 shop: fenxiao.storefront.views)."""

from django.conf import settings
from django.shortcuts import render


def lockout(request, original_credentials=None, credentials=None):
    """django-axes calls this when a (phone, IP) pair is locked out of the console log-in."""
    username = (credentials or original_credentials or {}).get("username", "")
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "username": username,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": minutes,
        "site_title": "fenxiao 商家后台",
        "site_header": "fenxiao 分销商城 · 商家后台",
    }
    return render(request, "console/lockout.html", context, status=429)
