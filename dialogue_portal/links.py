"""Addresses this site gives out: site-relative paths and absolute URLs from SITE_URL.

A request's path is what the client sent: ``//evil.example/x/`` reaches Django as a path (and
a 404), but handed back as a link a browser reads it as another host, and reads ``/\\host``
the same way. ``site_path`` collapses the leading slashes and backslashes into one slash.
Absolute URLs come from the SITE_URL setting, never from the request's Host header, which
the client chooses too.
"""

from django.conf import settings


def site_path(path: str) -> str:
    """``path`` as a path on this site: one leading slash, never ``//`` or ``/\\``."""
    return "/" + path.lstrip("/\\")


def absolute_url(path: str) -> str:
    """SITE_URL followed by ``path`` taken as a path on this site."""
    return settings.SITE_URL + site_path(path)
