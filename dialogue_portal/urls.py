import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseNotFound, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

from dialogue_portal import health, views
from dialogue_portal.core.links import sitemap_index
from dialogue_portal.core.pagecache import QuerySpec, anonymous_page_cache
from dialogue_portal.desk import services as desk
from dialogue_portal.pages.sitemaps import SITEMAPS as PAGE_SITEMAPS
from dialogue_portal.twofactor.views import PasswordResetView
from publications import files
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
    # The index names each section's pages (/sitemap-publications.xml?p=2 ...), written
    # without Django's {% spaceless %}, which took a third of a page's time.
    path(
        "sitemap.xml",
        anonymous_page_cache(sitemap_index, query=QuerySpec()),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        anonymous_page_cache(sitemap, query=QuerySpec(single=("p",), defaults={"p": "1"})),
        {"sitemaps": SITEMAPS, "template_name": "sitemaps/section.xml"},
        name="sitemap-section",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("health/", health.health, name="health"),
    path("admin/archive/", include("dialogue_portal.archive.urls")),
    # Our admin pages (preferences, figures) before the admin site's catch-all.
    path("admin/", include("dialogue_portal.staff.urls")),
    # The second factor, "log out everywhere", the password change and reset for staff.
    path("admin/", include("dialogue_portal.twofactor.urls")),
    path("admin/2fa/webauthn/", include("dialogue_portal.twofactor.webauthn_urls")),
    # The admin's login page offers "Forgotten your password?" when this name exists.
    path("admin/password_reset/", PasswordResetView.as_view(), name="admin_password_reset"),
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
    path("", include("dialogue_portal.previews.urls")),
    prefix_default_language=False,
)


def _withheld(name):
    """A file of a publication not live yet, one it no longer names (kept for restores),
    or one only a proposal in review names."""
    standing = files.standing(name)
    if standing == files.UNOWNED:
        return desk.is_proposed_file(name)
    return standing in files.WITHHELD


def serve_media(request, path):
    """Uploaded files at their public address: never sniffed into HTML, sandboxed should
    one be opened directly, and none of a publication that is not live yet (a draft's or
    a scheduled publication's PDF, banner or renditions: 404 until its go-live time,
    publications.files), nor one uploaded for a proposed change still in review. With
    MEDIA_ACCEL_REDIRECT the web server sends the file from an internal location (nginx's
    X-Accel-Redirect); otherwise Django streams it."""
    name = files.normalized(path)
    staff = request.user.is_authenticated and request.user.is_staff
    if name.startswith(("../", "/")) or name == ".." or (not staff and _withheld(name)):
        response = HttpResponseNotFound(
            gettext("No file at this address."), content_type="text/plain"
        )
        response["Cache-Control"] = "no-store"
        return response
    if settings.MEDIA_ACCEL_REDIRECT:
        if not default_storage.exists(name):
            raise Http404
        response = HttpResponse(content_type=mimetypes.guess_type(name)[0] or "")
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT + quote(name)
    else:
        response = serve(request, name, document_root=settings.MEDIA_ROOT)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if staff:  # perhaps a draft's file: for this editor only
        response["Cache-Control"] = "private, no-store"
    else:  # a shared cache may keep a live file this long after it is unpublished
        response["Cache-Control"] = f"public, max-age={settings.MEDIA_CACHE_SECONDS}"
    return response


# Files on disk are served through the check above, locally and in production (where the
# web server passes /media/ to Django); on S3 storage they are private, signed addresses.
if settings.DEBUG or settings.LOCAL_MODE or settings.MEDIA_SERVED_BY_DJANGO:
    urlpatterns += [path("media/<path:path>", serve_media)]
