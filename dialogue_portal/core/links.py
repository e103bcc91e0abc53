"""Addresses this site gives out: site-relative paths and absolute URLs from SITE_URL.

A request's path is what the client sent: ``//evil.example/x/`` reaches Django as a path (and
a 404), but handed back as a link a browser reads it as another host, and reads ``/\\host``
the same way. ``site_path`` collapses the leading slashes and backslashes into one slash.
Absolute URLs come from the SITE_URL setting, never from the request's Host header, which
the client chooses too.
"""

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import translation


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
    """One section of the sitemap index, its addresses starting with SITE_URL (Django's
    start with the request's host, through RequestSite, when the sites framework is not
    installed).

    A page takes ``limit`` rows of ``items()`` (Django's paginator: fit for a short list;
    ``IdBlockSitemap`` for a section as large as the archive). Each row is listed under
    every language whose alternate is its own address (a language with a version of its
    own lists that version instead), each entry naming the alternates
    (``alternate_paths()``) and English, the unprefixed address, as x-default, as the
    page's head does."""

    changefreq: str
    priority: float
    # Rows per page, each listed once per language at most: some 1,000 addresses with their
    # alternates, 600 KB. A page's cost is its rendering, in proportion to its addresses
    # (the queries are a few ms): 500 keeps a miss near 130 ms at 100,000 publications,
    # and the index names some 200 pages (docs/performance.md).
    limit = 500

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site: object = None) -> str:
        return urlsplit(settings.SITE_URL).netloc

    def get_latest_lastmod(self) -> None:
        # Django's default calls lastmod() on every row of the section for the index, a
        # read of the whole archive: the index names no date, each entry has its own.
        return None

    def page_rows(self, page: int | str) -> Sequence[Any]:
        """The rows of one page (a subclass also fetches what their alternates name)."""
        return list(self.paginator.page(page).object_list)

    def alternate_paths(self, item: Any) -> dict[str, str]:
        """{language: path} of the item's page for each interface language."""
        return self.own_paths(item)

    def own_paths(self, item: Any) -> dict[str, str]:
        paths = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                paths[code] = self.location(item)
        return paths

    def get_urls(
        self, page: int | str = 1, site: object = None, protocol: str | None = None
    ) -> list[dict[str, Any]]:
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        lastmod = getattr(self, "lastmod", None)
        urls = []
        for item in self.page_rows(page):
            paths = self.alternate_paths(item)
            alternates = [
                {"lang_code": code, "location": base + path} for code, path in paths.items()
            ] + [{"lang_code": "x-default", "location": base + paths[settings.LANGUAGE_CODE]}]
            for code, path in self.own_paths(item).items():
                if paths[code] == path:
                    urls.append(
                        {
                            "item": item,
                            "location": base + path,
                            "lastmod": lastmod(item) if lastmod else None,
                            "changefreq": self.changefreq,
                            "priority": str(self.priority),
                            "alternates": alternates,
                        }
                    )
        # Django's sitemap view answers with Last-Modified when every entry has a date.
        if lastmod and urls:
            self.latest_lastmod = max(url["lastmod"] for url in urls)
        return urls


class IdBlockSitemap(SiteSitemap):
    """A section as large as the archive, paged by id: page N holds the rows of
    ``items()`` whose id falls in the N-th block of ``limit`` ids, in id order. A page reads
    one range of the primary key, so its cost does not grow with the archive (an OFFSET
    reads every row before the page: 120-260 ms for the last page at 100,000
    publications), the number of pages comes from the highest id, and a row keeps its page
    as others are added or removed. A page holds fewer rows where ids went to rows that
    are not listed (drafts, deleted ones), none at worst."""

    def items(self) -> QuerySet[Any]:
        """The rows listed, as a queryset."""
        raise NotImplementedError

    @property
    def paginator(self) -> Paginator:
        """Counts and checks page numbers: a page for each block of ids up to the highest."""
        last = self.items().order_by("-pk").values_list("pk", flat=True).first() or 0
        return Paginator(range(1, last + 1), self.limit)

    def page_rows(self, page: int | str) -> Sequence[Any]:
        first = (self.paginator.validate_number(page) - 1) * self.limit + 1
        rows = self.items().filter(pk__gte=first, pk__lt=first + self.limit)
        return list(rows.order_by("pk"))


def sitemap_index(request: HttpRequest, **kwargs: Any) -> TemplateResponse:
    """Django's sitemap index, naming each section's pages on SITE_URL (Django's index
    names them on the request's host)."""
    response = sitemap_views.index(request, **kwargs)
    assert response.context_data is not None  # Django's index always gives its sections
    for entry in response.context_data["sitemaps"]:
        address = urlsplit(entry.location)
        entry.location = absolute_url(address._replace(scheme="", netloc="").geturl())
    return response
