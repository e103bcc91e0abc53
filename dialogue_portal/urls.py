from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.static import serve

from dialogue_portal import views
from publications.sitemaps import SITEMAPS

admin.site.site_header = "Dialogue Portal — editors"
admin.site.site_title = "Dialogue Portal admin"
admin.site.index_title = "Publish and manage content"

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("", include("publications.urls")),
    path("", include("people.urls")),
    path("polls/", include("polls.urls")),
    prefix_default_language=False,
)

if settings.BENCH_FLOOR:
    urlpatterns += [path("bench/floor/", views.bench_floor, name="bench-floor")]

if settings.DEBUG:
    urlpatterns += [
        path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
