"""Addresses this site gives out: site-relative paths and absolute URLs from SITE_URL.

A request's path is what the client sent: ``//evil.example/x/`` reaches Django as a path (and
a 404), but handed back as a link a browser reads it as another host, and reads ``/\\host``
the same way. ``site_path`` collapses the leading slashes and backslashes into one slash.
Absolute URLs come from the SITE_URL setting, never from the request's Host header, which
the client chooses too.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap


def site_path(path: str) -> str:
    """``path`` as a path on this site: one leading slash, never ``//`` or ``/\\``."""
    return "/" + path.lstrip("/\\")


def absolute_url(location: str) -> str:
    """SITE_URL followed by ``location`` taken as a path on this site. A location that is
    already absolute (a file in object storage, whose URL the storage gives) is kept."""
    if urlsplit(location).scheme in ("http", "https"):
        return location
    return settings.SITE_URL + site_path(location)


class SiteSitemap(Sitemap):
    """A sitemap whose addresses start with SITE_URL (Django's start with the request's
    host, through RequestSite, when the sites framework is not installed)."""

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site: object = None) -> str:
        return urlsplit(settings.SITE_URL).netloc
