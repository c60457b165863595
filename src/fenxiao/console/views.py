"""The site root: where to go (the H5 storefront comes with its own issue)."""

from django.shortcuts import render


def home(request):
    return render(request, "console/home.html")
