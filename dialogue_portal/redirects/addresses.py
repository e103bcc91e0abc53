"""The public addresses each kind of content has, made from its slug: what a slug change
leaves behind and a deletion takes away. A base address includes what lies below it (a
publication's /cite.bib, /cite.ris, /files/<n>/); a feed is one address of its own."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Model
from django.urls import reverse
from django.utils import translation

from dialogue_portal.pages.models import Page
from dialogue_portal.redirects.paths import normalize_path
from people.models import Institution, Person
from publications.models import Audience, Programme, Project, Publication, Region, Topic


@dataclass(frozen=True)
class Address:
    name: str  # the URL's name: an old address redirects to the new one of the same name
    path: str  # normalised (paths.normalize_path)
    target: str  # the address as a redirect sends readers to it (with its trailing slash)
    below: bool


# Content whose addresses come from its slug (the keys of URLS).
type Tracked = (
    Publication | Person | Institution | Topic | Region | Project | Programme | Audience | Page
)

BASE, ONE = True, False
# Each kind's URL names, and whether the address includes what lies below it (BASE).
URLS: dict[type[Model], list[tuple[str, bool]]] = {
    Publication: [("publications:detail", BASE)],
    Person: [("people:detail", BASE), ("publications:feed-person", ONE)],
    Institution: [("people:institution", BASE)],
    Topic: [("publications:topic", BASE), ("publications:feed-topic", ONE)],
    Region: [("publications:region", BASE)],
    Project: [("publications:project", BASE), ("publications:feed-project", ONE)],
    Programme: [("publications:programme", BASE)],
    # /for/<slug>/ never answers 404: without its introduction it sends readers on to
    # /audiences/<slug>/, whose redirect then applies.
    Audience: [("publications:audience", BASE)],
    Page: [("pages:detail", BASE)],
}
TRACKED = tuple(URLS)


def addresses_of(obj: Tracked) -> list[Address]:
    """``obj``'s addresses as its slug makes them now (none for a page at a fixed
    address, such as About, or an audience's introduction, which lives at the audience's)."""
    if isinstance(obj, Page) and obj.role != Page.Role.PAGE:
        return []
    if not obj.slug:
        return []
    found = []
    with translation.override(settings.LANGUAGE_CODE):
        for name, below in URLS[type(obj)]:
            url = reverse(name, kwargs={"slug": obj.slug})
            found.append(Address(name, normalize_path(url), url, below))
    return found


def current_addresses_of(obj: Tracked) -> list[Address]:
    """The addresses of ``obj`` as the database holds it (before a save changes them)."""
    if obj.pk is None:
        return []
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return addresses_of(stored) if stored is not None else []
