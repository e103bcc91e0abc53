from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from people.models import Person
from publications.models import Project, Publication, Topic

FEED_SIZE = 30
ONE_PER_WORK = _("Each work once, in this feed's language where available.")


class LatestRssFeed(Feed):
    title = _("Dialogue Portal: latest publications")
    description = format_lazy(
        "{} {}",
        _("The newest reports, conference reports, articles and briefings."),
        ONE_PER_WORK,
    )

    def link(self):
        return reverse("publications:list")  # /ru/publications/ in the Russian feed

    def items(self):
        return self.listed(Publication.objects.published())

    def listed(self, queryset, obj=None):
        """Each work once, in the feed's language (``/ru/feeds/…`` is Russian) where it has
        a version in it, as the lists show them."""
        queryset = self.filtered(queryset, obj).one_per_work(get_language())
        return queryset.for_listing()[:FEED_SIZE]

    def filtered(self, queryset, obj=None):
        return queryset

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Readers render a description as HTML; the summary is plain text, so escape it.
        return escape(item.summary)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return ", ".join(a.person.name for a in item.authors) or None

    def item_categories(self, item):
        return [item.get_kind_display()]


class LatestAtomFeed(LatestRssFeed):
    feed_type = Atom1Feed
    subtitle = LatestRssFeed.description


class ObjectFeed(LatestRssFeed):
    """Latest publications of one topic, person or project."""

    model = None

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def link(self, obj):
        return obj.get_absolute_url()

    def title(self, obj):
        return _("Dialogue Portal: %(name)s") % {"name": self.display_name(obj)}

    def description(self, obj):
        latest = _("Latest publications: %(name)s") % {"name": self.display_name(obj)}
        return f"{latest}. {ONE_PER_WORK}"

    def display_name(self, obj):
        """The name in the reader's language: a term's display_name, a person's name."""
        return getattr(obj, "display_name", None) or getattr(obj, "name", None) or str(obj)

    def items(self, obj):
        return self.listed(Publication.objects.published(), obj)


class TopicFeed(ObjectFeed):
    model = Topic

    def filtered(self, queryset, obj=None):
        return queryset.filter(topics=obj)


class PersonFeed(ObjectFeed):
    model = Person

    def filtered(self, queryset, obj=None):
        return queryset.by_author(obj)


class ProjectFeed(ObjectFeed):
    model = Project

    def filtered(self, queryset, obj=None):
        return queryset.filter(project=obj)
