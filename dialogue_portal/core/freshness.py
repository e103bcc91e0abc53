"""How the caches learn that content changed: once the change commits, from this one place.

Every cached page, fragment, card, count and term list is stamped with the content version
(``pagecache``). ``content_changed()`` moves it once the current transaction commits (at
once outside a transaction), however many rows the transaction wrote. A reader who comes
before the commit reads the old rows and stamps them with the old version, which the commit
retires; a reader after it reads the new rows under the new version. (Moved before the
commit, the version would let that first reader keep the old rows under the new one, for
as long as the cache keeps them.)

Model signals call it for every row a cached page shows (``SHOWN``) and every link between
such rows (``LINKS``), whatever path wrote it: the admin and its inlines, the desk's
approvals and restores, the archive importer, the demo loaders. A bulk ``QuerySet.update()``
or ``bulk_create()`` sends no signal: code that writes content that way calls
``content_changed()`` itself (the admin's publish and unpublish actions, closing polls,
marking a newsletter issue sent).

Readers' writes are left out on purpose and never move the version: ratings, votes, view
and download counters, daily counts, the stored counts and rankings, the OAI records, the
newsletter's subscribers and deliveries, the desk's proposals and decisions. Readers write
often, and pages show their totals through holes filled when served (``pagecache``), so a
stream of votes leaves every cached page in place.

This is infrastructure (cache invalidation), not domain logic: the receivers decide nothing
about the content; they only say that it changed. ``AppConfig.ready()`` connects them
(``dialogue_portal.apps``); models are named by label, so this module imports no app.
"""

import threading
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from dialogue_portal.core import surrogate
from dialogue_portal.core.pagecache import bump_content_version
from dialogue_portal.core.replication import note_content_lsn

# The rows that cached pages show: publications and everything printed with them, the
# people and institutions behind them, the taxonomy, polls, editors' pages, and the sent
# newsletter issues the archive lists, and the redirects old addresses answer with.
SHOWN = (
    "people.Institution",
    "people.Person",
    "people.Affiliation",
    "publications.Topic",
    "publications.Region",
    "publications.Audience",
    "publications.Programme",
    "publications.Project",
    "publications.Publication",
    "publications.Authorship",
    "publications.Attachment",
    "polls.Poll",
    "polls.Choice",
    "pages.Page",
    "newsletter.Issue",
    "redirects.Redirect",  # what an old address answers: a cached 404 must give way
)

# Many-to-many links among them (``add()``, ``remove()``, ``set()``, ``clear()`` send
# ``m2m_changed`` with the link model as sender, and no post_save).
LINKS = (
    "publications.Publication_topics",
    "publications.Publication_regions",
    "publications.Publication_audiences",
    "publications.Project_institutions",
    "publications.Authorship",
    "polls.Poll_publications",
    "newsletter.Issue_publications",
)

_DISPATCH_UID = "freshness:content-changed"


class _AfterCommit:
    """The one move of the content version that a transaction owes once it commits, and
    the one purge of the shared caches: the same object is handed to ``on_commit`` for
    every change, gathers the surrogate keys of what changed, and acts once."""

    def __init__(self) -> None:
        self.done = False
        self.keys: set[str] = set()
        self.refs: set[surrogate.Ref] = set()

    def __call__(self) -> None:
        if not self.done:
            self.done = True
            # With replicas, how far the primary's WAL had come once the version moved:
            # no replica behind it renders pages for the new version (``replication``).
            note_content_lsn(bump_content_version())
            # Then the shared cache, through the task worker: a page it fetches again is
            # rendered under the new version, from rows at least as new as this commit.
            surrogate.purge_later(self.keys, self.refs)


# Per thread (a connection belongs to one thread) and database alias: what is owed. Left
# over from a transaction rolled back before it moved anything, it serves the next one.
_owed = threading.local()


def content_changed(
    using: str | None = None,
    *,
    keys: Iterable[str] = (surrogate.SITE,),
    refs: Iterable[surrogate.Ref] = (),
) -> None:
    """Content readers see changed: move the content version once the transaction on
    ``using`` commits (at once outside a transaction), once however often this is called
    in it, and purge the shared caches' pages with surrogate ``keys`` or showing the rows
    ``refs`` (``surrogate``; by default every page). Nothing is moved or purged if it rolls
    back. A change inside a savepoint that is rolled back is forgotten with it, while the
    other changes of the transaction still count (its keys are purged all the same)."""
    alias = using or DEFAULT_DB_ALIAS
    owed = _owed.__dict__.get(alias)
    if owed is None or owed.done:
        owed = _owed.__dict__[alias] = _AfterCommit()
    owed.keys.update(keys)
    owed.refs.update(refs)
    transaction.on_commit(owed, using=alias)


def rows_changed(rows: Iterable[Model], using: str | None = None) -> None:
    """``content_changed()`` for these rows, with the keys of the pages that show them
    (for writes that send no signal, and for scheduled publications going live)."""
    keys: set[str] = set()
    refs: set[surrogate.Ref] = set()
    for row in rows:
        row_keys, row_refs = surrogate.row_keys(row)
        keys |= row_keys
        refs |= row_refs
    content_changed(using, keys=keys, refs=refs)


def _row_changed(
    sender: type, instance: Model, using: str = DEFAULT_DB_ALIAS, **kwargs: object
) -> None:
    rows_changed([instance], using)


def _links_changed(
    sender: type[Model],
    instance: Model,
    action: str,
    model: type[Model],
    pk_set: set[int] | None,
    using: str = DEFAULT_DB_ALIAS,
    **kwargs: object,
) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        refs = surrogate.link_refs(instance, model, pk_set)
        # The polls' and newsletter's links show on their own pages.
        keys = {key for label, key in _LINK_KEYS.items() if sender._meta.label == label}
        content_changed(using, keys=keys or {surrogate.LISTS}, refs=refs)


_LINK_KEYS = {"polls.Poll_publications": "polls", "newsletter.Issue_publications": "newsletter"}


def connect() -> None:
    """Have every write of ``SHOWN`` rows and ``LINKS`` call ``content_changed()``."""
    for label in SHOWN:
        post_save.connect(_row_changed, sender=label, dispatch_uid=_DISPATCH_UID)
        post_delete.connect(_row_changed, sender=label, dispatch_uid=_DISPATCH_UID)
    for label in LINKS:
        m2m_changed.connect(_links_changed, sender=label, dispatch_uid=_DISPATCH_UID)
