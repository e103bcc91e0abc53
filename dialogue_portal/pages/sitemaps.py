from collections import defaultdict

from django.conf import settings
from django.utils import translation

from dialogue_portal.core.links import SiteSitemap
from dialogue_portal.pages.models import Page


def _path(page, code):
    with translation.override(code):
        return page.get_absolute_url()


class PageSitemap(SiteSitemap):
    """As for publications: every published page under its own language's prefix, and under
    the other language's prefix where that language has no version of its own (the page is
    served there with that interface). Each entry's alternates name the address for each
    language, with English (unprefixed) as x-default, as in the page's head."""

    changefreq = "monthly"
    priority = 0.6

    def items(self):
        pages = list(Page.objects.published().select_related("audience").order_by("role", "pk"))
        clusters = defaultdict(list)
        for page in pages:
            clusters[page.translation_of_id or page.pk].append(page)
        items = []
        for page in pages:
            versions = {v.language: v for v in clusters[page.translation_of_id or page.pk]}
            for code, _name in settings.LANGUAGES:
                if code == page.language or code not in versions:
                    items.append((page, code, versions))
        return items

    def location(self, item):
        page, code, _versions = item
        return _path(page, code)

    def lastmod(self, item):
        return item[0].updated_at

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        for url in urls:
            shown, _code, versions = url["item"]
            paths = {
                code: _path(versions.get(code, shown), code) for code, _name in settings.LANGUAGES
            }
            url["alternates"] = [
                {"lang_code": code, "location": base + path} for code, path in paths.items()
            ] + [{"lang_code": "x-default", "location": base + paths[settings.LANGUAGE_CODE]}]
        return urls


SITEMAPS = {"pages": PageSitemap}
