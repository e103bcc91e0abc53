from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

from dialogue_portal import health, views
from dialogue_portal.pagecache import QuerySpec, anonymous_page_cache
from dialogue_portal.pages.sitemaps import SITEMAPS as PAGE_SITEMAPS
from publications.sitemaps import SITEMAPS

SITEMAPS = {**SITEMAPS, **PAGE_SITEMAPS}

admin.site.site_header = _("Dialogue Portal — editors")
admin.site.site_title = _("Dialogue Portal admin")
admin.site.index_title = _("Publish and manage content")


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's, feeds)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        anonymous_page_cache(sitemap, query=QuerySpec(single=("p",), defaults={"p": "1"})),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("health/", health.health, name="health"),
    path("admin/archive/", include("dialogue_portal.archive.urls")),
    # Our admin pages (preferences, figures) before the admin site's catch-all.
    path("admin/", include("dialogue_portal.staff.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("dialogue_portal.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("oai/", include("dialogue_portal.oai.urls")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("", include("publications.urls")),
    path("", include("publications.people_urls")),
    path("polls/", include("polls.urls")),
    path("newsletter/", include("dialogue_portal.newsletter.urls")),
    path("", include("dialogue_portal.pages.urls")),
    prefix_default_language=False,
)


def serve_media(request, path):
    """Uploaded files for a local run (production serves them from storage): never sniffed
    into HTML, and sandboxed should one be opened directly."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# LOCAL_MODE is DEBUG as the environment set it, so the test run (which turns DEBUG off)
# serves media like the local run it imitates; production never does.
if settings.DEBUG or settings.LOCAL_MODE:
    urlpatterns += [path("media/<path:path>", serve_media)]
