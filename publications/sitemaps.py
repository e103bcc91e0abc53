from django.contrib.sitemaps import Sitemap

from people.models import Person
from publications.models import Project, Publication, Region, Topic


class PublicationSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return Publication.objects.published().only("slug", "updated_at").order_by("-published_at")

    def lastmod(self, item):
        return item.updated_at


class TermSitemap(Sitemap):
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


class PersonSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return Person.objects.with_publications()

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "publications": PublicationSitemap,
    "people": PersonSitemap,
    "topics": TopicSitemap,
    "regions": RegionSitemap,
    "projects": ProjectSitemap,
}
