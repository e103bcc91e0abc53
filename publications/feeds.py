from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dialogue_portal.core.links import absolute_url
from people.models import Person
from publications.models import Project, Publication, Topic

FEED_SIZE = 30
ONE_PER_WORK = _("Each work once, in this feed's language where available.")


class LatestRssFeed(Feed):
    """Every address in a feed (its link, its own URL, its items') starts with SITE_URL:
    Django's Feed would put the request's host before a relative one."""

    url_name = "publications:feed-rss"
    title = _("Dialogue Portal: latest publications")
    description = format_lazy(
        "{} {}",
        _("The newest reports, conference reports, articles and briefings."),
        ONE_PER_WORK,
    )

    def link(self):
        return absolute_url(reverse("publications:list"))  # /ru/publications/ in Russian

    def feed_url(self):
        return absolute_url(reverse(self.url_name))

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

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
    url_name = "publications:feed-atom"
    subtitle = LatestRssFeed.description


class ObjectFeed(LatestRssFeed):
    """Latest publications of one topic, person or project."""

    model = None

    def get_object(self, request, slug):
        return get_object_or_404(self.objects(), slug=slug)

    def objects(self):
        return self.model.objects.all()

    def link(self, obj):
        return absolute_url(obj.get_absolute_url())

    def feed_url(self, obj):
        return absolute_url(reverse(self.url_name, args=[obj.slug]))

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
    url_name = "publications:feed-topic"

    def filtered(self, queryset, obj=None):
        return queryset.filter(topics=obj)


class PersonFeed(ObjectFeed):
    model = Person
    url_name = "publications:feed-person"

    def objects(self):
        return Publication.objects.published().authors()  # nobody before their first work

    def filtered(self, queryset, obj=None):
        return queryset.by_author(obj)


class ProjectFeed(ObjectFeed):
    model = Project
    url_name = "publications:feed-project"

    def filtered(self, queryset, obj=None):
        return queryset.filter(project=obj)
