"""Surrogate keys: which cached pages an editorial commit makes stale in the shared cache.

A page's keys name what it shows, from its URL alone (``page_keys``, by the URL's name and
slug): a publication page ``publication:<slug>``; a person's, institution's or term's page
``person:<slug>``, ``topic:<slug>``...; every page that lists publications (home, the
list, search, the landing pages, feeds, the sitemap) also ``lists``; the polls pages
``polls``; and every page ``site``. ``SurrogateKeyMiddleware`` sends them in the header
``SURROGATE_KEY_HEADER`` (``xkey`` for Varnish; ``Surrogate-Key`` for Fastly,
``Cache-Tag`` for Cloudflare) on the responses a shared cache may keep, which it gives
``s-maxage`` while browsers get ``BROWSER_CACHE_SECONDS`` at most.

A row that changes names the keys of the pages that show it (``row_keys``): its own page,
``lists``, and references (label, pk) to rows whose pages show it too, which the task
worker turns into keys when it purges (``expand``: a publication's people, terms, project
and series; a person's, term's or institution's publications). ``freshness`` gathers them
during the transaction and, once it commits, ``purge_later`` enqueues ``purge``, which asks
each of ``PURGE_URLS`` to drop the pages with those keys (Varnish: a ``PURGE`` request
carrying ``xkey-purge``, accepted from the app's addresses only, deploy/varnish).
"""

import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Model
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.tasks import task
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_cache_control

LISTS = "lists"
SITE = "site"
# More pages than this behind one changed row (a topic on thousands of publications):
# the whole site is purged instead, in one key.
MOST_KEYS = 500
# Keys per purge request, well within a header's length.
KEYS_PER_REQUEST = 100
PURGE_HEADER = "xkey-purge"

# URL name: (the key made from its slug, or None; whether the page lists publications).
# A URL not named here carries no key and is left to expire (the API, media, admin).
PAGES: dict[str, tuple[str | None, bool]] = {
    "home": (None, True),
    "search": (None, True),
    "sitemap": (None, True),
    "sitemap-section": (None, True),
    "publications:list": (None, True),
    "publications:detail": ("publication", False),
    "publications:cite-bib": ("publication", False),
    "publications:cite-ris": ("publication", False),
    "publications:topics": (None, True),
    "publications:topic": ("topic", True),
    "publications:region": ("region", True),
    "publications:project": ("project", True),
    "publications:programme": ("programme", True),
    "publications:audience": ("audience", True),
    "publications:feed-rss": (None, True),
    "publications:feed-atom": (None, True),
    "publications:feed-topic": ("topic", True),
    "publications:feed-person": ("person", True),
    "publications:feed-project": ("project", True),
    "people:list": (None, True),
    "people:detail": ("person", True),
    "people:institution": ("institution", True),
    "polls:list": ("polls", False),
    "polls:detail": ("polls", False),
    "newsletter:archive": ("newsletter", False),
    "newsletter:issue": ("newsletter", False),
    "pages:about": (None, False),
    "pages:support": (None, False),
    "pages:contact": (None, False),
    "pages:audience": (None, False),
    "pages:detail": (None, False),
}
# Pages that show the current poll besides the polls' own.
SHOWS_POLLS = {"home"}


def page_keys(view_name: str | None, kwargs: dict[str, Any]) -> list[str]:
    """The surrogate keys of the page at a URL of this name and these arguments."""
    if view_name not in PAGES:
        return []
    kind, lists = PAGES[view_name]
    keys = [SITE]
    if lists:
        keys.append(LISTS)
    if kind in ("polls", "newsletter"):
        keys.append(kind)
    elif kind and "slug" in kwargs:
        keys.append(f"{kind}:{kwargs['slug']}")
    if view_name in SHOWS_POLLS:
        keys.append("polls")
    return keys


def path_keys(path: str) -> list[str]:
    """The keys of the page at ``path`` (an old address whose page a redirect replaces,
    stored without its trailing slash and language prefix)."""
    with translation.override(settings.LANGUAGE_CODE):
        for candidate in (path, path + "/"):
            try:
                match = resolve(candidate)
            except Resolver404:
                continue
            return page_keys(match.view_name, match.kwargs)
    return []


type Ref = tuple[str, int]

# Model label: the kind of key its slug makes.
KINDS = {
    "publications.publication": "publication",
    "people.person": "person",
    "people.institution": "institution",
    "publications.topic": "topic",
    "publications.region": "region",
    "publications.audience": "audience",
    "publications.programme": "programme",
    "publications.project": "project",
}
# Rows shown where their parent is: (label, the parent's label, the field naming it).
PARTS = {
    "publications.attachment": [("publications.publication", "publication_id")],
    "publications.authorship": [
        ("publications.publication", "publication_id"),
        ("people.person", "person_id"),
    ],
    "people.affiliation": [
        ("people.person", "person_id"),
        ("people.institution", "institution_id"),
    ],
}
OWN_KEYS = {"polls.poll": ["polls"], "polls.choice": ["polls"], "newsletter.issue": ["newsletter"]}


def row_keys(row: Model) -> tuple[set[str], set[Ref]]:
    """What a change to ``row`` makes stale: keys known now, and rows whose pages show it
    (turned into keys by ``expand``, after the commit, in the worker). No query."""
    label = row._meta.label_lower
    keys: set[str] = set()
    refs: set[Ref] = set()
    if label in KINDS:
        keys |= {f"{KINDS[label]}:{row.slug}", LISTS}  # type: ignore[attr-defined]
        refs.add((label, row.pk))
    elif label in PARTS:
        refs |= {(parent, getattr(row, field)) for parent, field in PARTS[label]}
    elif label in OWN_KEYS:
        keys |= set(OWN_KEYS[label])
    elif label == "redirects.redirect":
        keys |= set(path_keys(row.old_path)) - {SITE}  # type: ignore[attr-defined]
    else:  # an editor's page, shown in every page's navigation; whatever else is shown
        keys.add(SITE)
    return keys, refs


def link_refs(row: Model, model: type[Model], pks: Iterable[int] | None) -> set[Ref]:
    """A many-to-many link between ``row`` and ``model``'s rows ``pks`` changed."""
    refs = {(row._meta.label_lower, row.pk)}
    refs |= {(model._meta.label_lower, pk) for pk in pks or ()}
    return {ref for ref in refs if ref[0] in KINDS}


def _publication_keys(pks: Iterable[int]) -> set[str]:
    Publication = apps.get_model("publications", "Publication")
    rows = Publication.objects.filter(pk__in=list(pks))
    keys = {f"publication:{slug}" for slug in rows.values_list("slug", flat=True)}
    # Each page shows its people, terms, project and programme, and its series and
    # other-language versions show it.
    related = (
        ("people__slug", "person"),
        ("topics__slug", "topic"),
        ("regions__slug", "region"),
        ("audiences__slug", "audience"),
        ("project__slug", "project"),
        ("programme__slug", "programme"),
        ("project__publications__slug", "publication"),
        ("translations__slug", "publication"),
        ("translation_of__slug", "publication"),
    )
    for field, kind in related:
        found = rows.exclude(**{f"{field}__isnull": True}).values_list(field, flat=True)
        keys |= {f"{kind}:{slug}" for slug in found.distinct()}
    return keys


# How a publication reaches the rows of each kind its page shows.
SHOWN_BY = {
    "person": "people",
    "institution": "authorships__institution",
    "topic": "topics",
    "region": "regions",
    "audience": "audiences",
    "programme": "programme",
    "project": "project",
}


def expand(refs: Iterable[Ref]) -> set[str]:
    """The keys of the pages that show the rows ``refs`` (a few queries); ``site`` alone
    when they are more than ``MOST_KEYS``."""
    Publication = apps.get_model("publications", "Publication")
    by_label: dict[str, list[int]] = {}
    for label, pk in refs:
        by_label.setdefault(label, []).append(pk)
    publications = set(by_label.pop("publications.publication", []))
    keys: set[str] = set()
    for label, pks in by_label.items():
        kind = KINDS[label]
        slugs = apps.get_model(label).objects.filter(pk__in=pks).values_list("slug", flat=True)
        keys |= {f"{kind}:{slug}" for slug in slugs}
        shown = Publication.objects.filter(**{f"{SHOWN_BY[kind]}__in": pks})
        found = list(shown.values_list("slug", flat=True).distinct()[: MOST_KEYS + 1])
        keys |= {f"publication:{slug}" for slug in found}
        if len(keys) > MOST_KEYS:
            return {SITE}
    if publications:
        keys |= _publication_keys(publications)
    return {SITE} if len(keys) > MOST_KEYS else keys


def _purge_requests(keys: list[str]) -> Iterable[urllib.request.Request]:
    for url in settings.PURGE_URLS:
        for start in range(0, len(keys), KEYS_PER_REQUEST):
            batch = " ".join(keys[start : start + KEYS_PER_REQUEST])
            # http(s) only: settings refuses any other scheme in PURGE_URLS.
            yield urllib.request.Request(url, method="PURGE", headers={PURGE_HEADER: batch})  # noqa: S310


@task(queue_name="purge")
def purge(keys: list[str], refs: list[list[Any]]) -> int:
    """Drop from each shared cache of ``PURGE_URLS`` the pages with ``keys`` or showing the
    rows ``refs``; how many keys were purged. A cache that cannot be reached fails the
    task (its pages then expire on their own, within ``s-maxage``)."""
    wanted = sorted(set(keys) | expand((label, pk) for label, pk in refs))
    if SITE in wanted:
        wanted = [SITE]
    for request in _purge_requests(wanted):
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (http only)
            answer.read()
    return len(wanted)


def purge_later(keys: set[str], refs: set[Ref]) -> None:
    """Have the task worker purge these keys and rows' pages (once a change committed);
    nothing when no shared cache is named (``PURGE_URLS``)."""
    if settings.PURGE_URLS and (keys or refs):
        purge.enqueue(sorted(keys), sorted([label, pk] for label, pk in refs))


class SurrogateKeyMiddleware:
    """Sends a page's surrogate keys on the responses shared caches may keep (public,
    with a max-age), with ``s-maxage`` for them and at most ``BROWSER_CACHE_SECONDS`` for
    browsers, which no purge reaches."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        match = request.resolver_match
        if match is None or request.method not in ("GET", "HEAD"):
            return response
        control = response.get("Cache-Control", "")
        seconds = _max_age(control)
        if "public" not in control or seconds is None:
            return response
        keys = page_keys(match.view_name, match.kwargs)
        if keys:
            header = settings.SURROGATE_KEY_HEADER
            response[header] = (", " if header.lower() == "cache-tag" else " ").join(keys)
            browser = min(seconds, settings.BROWSER_CACHE_SECONDS)
            patch_cache_control(response, max_age=browser, s_maxage=seconds)
        return response


def _max_age(control: str) -> int | None:
    for part in control.split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "max-age" and value.isdigit():
            return int(value)
    return None
