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


# After every site address, as the floor was routed when the speed targets were set (in the
# site's URLconf, after its language-prefixed patterns): resolving it walks the site's
# patterns as a page's address does. Routed first, it answered without that walk, some
# 0.14 ms of CPU less than any page can (in process, thread time), and every ratio fell.
urlpatterns = [*site_urlpatterns, path("bench/floor/", floor, name="bench-floor")]
