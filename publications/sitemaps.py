from collections import defaultdict

from django.conf import settings
from django.utils import translation

from dialogue_portal.core.links import SiteSitemap
from publications.models import Project, Publication, Region, Topic


class PublicationSitemap(SiteSitemap):
    """Every page that shows a publication: each one under its own language's prefix, and
    under the other language's prefix where that language has no version of its own. As in
    the page's head, each entry's alternates name the version written in each language,
    with English (the unprefixed address) as x-default."""

    changefreq = "monthly"
    priority = 0.8

    def items(self):
        publications = list(
            Publication.objects.published()
            .only("slug", "language", "translation_of", "updated_at")
            .order_by("-published_at", "-pk")
        )
        clusters = defaultdict(list)
        for publication in publications:
            clusters[publication.translation_of_id or publication.pk].append(publication)
        items = []
        for publication in publications:
            versions = [
                other
                for other in clusters[publication.translation_of_id or publication.pk]
                if other.pk != publication.pk
            ]
            taken = {version.language for version in versions}
            for code, _name in settings.LANGUAGES:
                if code == publication.language or code not in taken:
                    items.append((publication, code, versions))
        return items

    def location(self, item):
        publication, code, _versions = item
        with translation.override(code):
            return publication.get_absolute_url()

    def lastmod(self, item):
        return item[0].updated_at

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        for url in urls:
            publication, _code, versions = url["item"]
            paths = publication.language_urls(versions)
            url["alternates"] = [
                {"lang_code": code, "location": base + path} for code, path in paths.items()
            ] + [{"lang_code": "x-default", "location": base + paths[settings.LANGUAGE_CODE]}]
        return urls


class TermSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.5
    i18n = True
    alternates = True
    x_default = True
    model = None

    def items(self):
        return self.model.objects.filter(
            publications__in=Publication.objects.published()
        ).distinct()


class TopicSitemap(TermSitemap):
    model = Topic


class RegionSitemap(TermSitemap):
    model = Region


class ProjectSitemap(TermSitemap):
    model = Project


class PersonSitemap(SiteSitemap):
    changefreq = "monthly"
    priority = 0.5
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return Publication.objects.published().authors()

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "publications": PublicationSitemap,
    "people": PersonSitemap,
    "topics": TopicSitemap,
    "regions": RegionSitemap,
    "projects": ProjectSitemap,
}
