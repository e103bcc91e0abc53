from collections import defaultdict

from django.db.models import OuterRef, Subquery

from dialogue_portal.core.links import IdBlockSitemap, SiteSitemap
from people.models import Person
from publications.models import Publication
from publications.taxonomy import get_taxonomy


class PublicationSitemap(IdBlockSitemap):
    """Every page that shows a publication: each one under its own language's prefix, and
    under the other language's prefix where that language has no version of its own. As in
    the page's head, each entry's alternates name the version written in each language:
    the published versions of a page's publications are fetched in one query."""

    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Publication.objects.published().only("slug", "language", "work", "updated_at")

    def page_rows(self, page):
        publications = super().page_rows(page)
        self.versions = defaultdict(list)
        for version in (
            Publication.objects.published()
            .filter(work__in={publication.work for publication in publications})
            .only("slug", "language", "work")
        ):
            self.versions[version.work].append(version)
        return publications

    def alternate_paths(self, publication):
        versions = [v for v in self.versions[publication.work] if v.pk != publication.pk]
        return publication.language_urls(versions)

    def lastmod(self, publication):
        return publication.updated_at


class TermSitemap(SiteSitemap):
    """The terms in use, as the topics page lists them: from the term lists and counts
    every page holds (``Taxonomy``), not a query over the archive."""

    changefreq = "weekly"
    priority = 0.5
    kind = None

    def items(self):
        return get_taxonomy().in_use(self.kind)


class TopicSitemap(TermSitemap):
    kind = "topic"


class RegionSitemap(TermSitemap):
    kind = "region"


class ProjectSitemap(TermSitemap):
    kind = "project"


class PersonSitemap(IdBlockSitemap):
    """Everyone with published work."""

    changefreq = "monthly"
    priority = 0.5

    def items(self):
        # One published work of each person, a subquery PostgreSQL runs for each person of
        # the page, stopping at the first it finds. As an EXISTS (or ``authors()``'s IN) it
        # becomes a join that reads every published authorship: some 240 ms a page at
        # 100,000 publications, and growing with the archive.
        work = Publication.objects.published().filter(authorships__person=OuterRef("pk"))
        work = work.order_by().values("pk")[:1]  # any one: no sort of the person's work
        return Person.objects.alias(work=Subquery(work)).filter(work__isnull=False)

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "publications": PublicationSitemap,
    "people": PersonSitemap,
    "topics": TopicSitemap,
    "regions": RegionSitemap,
    "projects": ProjectSitemap,
}
