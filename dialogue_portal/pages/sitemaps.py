from collections import defaultdict

from django.conf import settings
from django.db.models import Q
from django.utils import translation

from dialogue_portal.core.links import SiteSitemap
from dialogue_portal.pages.models import Page


def _original(page):
    return page.translation_of_id or page.pk


class PageSitemap(SiteSitemap):
    """As for publications: every published page under its own language's prefix, and under
    the other language's prefix where that language has no version of its own (the page is
    served there with that interface). Each entry's alternates name the address for each
    language, as in the page's head; the published versions of a page's rows are fetched
    in one query."""

    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Page.objects.published().select_related("audience").order_by("role", "pk")

    def page_rows(self, page):
        pages = super().page_rows(page)
        originals = {_original(shown) for shown in pages}
        self.versions = defaultdict(dict)
        for version in (
            Page.objects.published()
            .filter(Q(pk__in=originals) | Q(translation_of__in=originals))
            .select_related("audience")
        ):
            self.versions[_original(version)][version.language] = version
        return pages

    def alternate_paths(self, shown):
        versions = self.versions[_original(shown)]
        paths = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                paths[code] = versions.get(code, shown).get_absolute_url()
        return paths

    def lastmod(self, page):
        return page.updated_at


SITEMAPS = {"pages": PageSitemap}
