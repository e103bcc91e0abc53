from collections import defaultdict

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.utils import translation

from dialogue_portal.pages.models import Page


class PageSitemap(Sitemap):
    """Every published page under its own language's prefix; its alternates name the
    published version in each language, with English (unprefixed) as x-default where
    there is one."""

    changefreq = "monthly"
    priority = 0.6

    def items(self):
        pages = list(Page.objects.published().select_related("audience").order_by("role", "pk"))
        clusters = defaultdict(list)
        for page in pages:
            clusters[page.translation_of_id or page.pk].append(page)
        return [(page, clusters[page.translation_of_id or page.pk]) for page in pages]

    def location(self, item):
        page, _versions = item
        with translation.override(page.language):
            return page.get_absolute_url()

    def lastmod(self, item):
        return item[0].updated_at

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        for url in urls:
            _page, versions = url["item"]
            paths = {version.language: self.location((version, versions)) for version in versions}
            url["alternates"] = [
                {"lang_code": code, "location": base + path} for code, path in paths.items()
            ]
            if settings.LANGUAGE_CODE in paths:
                url["alternates"].append(
                    {"lang_code": "x-default", "location": base + paths[settings.LANGUAGE_CODE]}
                )
        return urls


SITEMAPS = {"pages": PageSitemap}
