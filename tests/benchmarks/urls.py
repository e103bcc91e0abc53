"""The site's addresses and /bench/floor/: a page as large as a publication's, rendered
from a static template with no queries, which every figure of `make bench` is a ratio to."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from dialogue_portal.urls import *  # noqa: F403 (the error handlers as well)
from dialogue_portal.urls import urlpatterns as site_urlpatterns


@require_GET
def floor(request):
    return render(request, "bench_floor.html")


urlpatterns = [path("bench/floor/", floor, name="bench-floor"), *site_urlpatterns]
