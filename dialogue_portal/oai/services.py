"""Keeping the OAI records true to the publications behind them.

A record's datestamp moves when, and only when, what a harvester would receive changes:
``refresh_records()`` renders both metadata formats and the set list of each publication it
is given and compares their hash with the stored fingerprint. So an author added, removed or
moved, an author's or institution's name, a tag, the project, an attachment or the
publication itself all move the datestamp, while a rating or a page view does not — and
calling it twice, or for publications that did not change, is harmless.

- A publication that is not public (unpublished, a draft, deleted) keeps its record as a
  deleted one, datestamped with the time it went (``deletedRecord=persistent``); one that was
  only ever scheduled and never seen is forgotten instead.
- A publication with a publish date still to come gets that date as its datestamp: records are
  visible only from their datestamp on, so it enters harvests when it appears on the site,
  without anyone saving it then.
- A backdated publication (published "in 2019" today) is datestamped now, when it entered the
  repository, so incremental harvests do not miss it.

``schedule_refresh()`` is what the change hooks (``signals.py``) call: it collects publication
ids and refreshes them once, when the editor's transaction commits. ``refresh_all()`` (the
``oai_refresh`` command) checks every publication: for changes made where no hook sees them
(raw SQL, ``QuerySet.update()`` outside the admin) and for a first fill.
"""

import hashlib
import threading

from django.db import IntegrityError, transaction
from django.utils import timezone
from lxml import etree

from dialogue_portal.oai.metadata import (
    oai_dc,
    oai_openaire,
    publications_for_records,
    set_specs,
    with_parents,
)
from dialogue_portal.oai.models import Record, SetMembership
from publications.models import Publication


def fingerprint(publication, specs):
    digest = hashlib.sha256()
    digest.update(publication.published_at.isoformat().encode())
    digest.update(" ".join(specs).encode())
    for build in (oai_dc, oai_openaire):
        digest.update(etree.tostring(build(publication), method="c14n"))
    return digest.hexdigest()


def _replace_memberships(record, specs):
    record.memberships.all().delete()
    SetMembership.objects.bulk_create(
        SetMembership(record=record, spec=spec) for spec in with_parents(specs)
    )


def _withdraw(record, now):
    if record.created > now:  # scheduled, never seen by anyone: nothing to announce
        record.delete()
    elif not record.deleted or record.datestamp > now:
        record.deleted = True
        record.datestamp = now
        record.save(update_fields=["deleted", "datestamp"])


def _publish(publication, record, now):
    specs = set_specs(publication, publication.topics.all())
    print_ = fingerprint(publication, specs)
    stamp = max(now, publication.published_at)
    if record is None:
        try:
            with transaction.atomic():
                record = Record.objects.create(
                    publication_id=publication.pk,
                    datestamp=stamp,
                    created=stamp,
                    set_specs=" ".join(specs),
                    fingerprint=print_,
                )
                _replace_memberships(record, specs)
            return
        except IntegrityError:  # another process created it meanwhile: update that one
            record = Record.objects.select_for_update().get(publication_id=publication.pk)
    if not record.deleted and record.fingerprint == print_:
        return
    record.deleted = False
    record.datestamp = stamp
    if record.created > now:  # still scheduled: it first appears at its (new) date
        record.created = stamp
    record.fingerprint = print_
    if record.set_specs != " ".join(specs):
        record.set_specs = " ".join(specs)
        _replace_memberships(record, specs)
    record.save()


@transaction.atomic
def refresh_records(publication_ids, *, now=None):
    """Bring the records of ``publication_ids`` up to date with the publications."""
    ids = {int(pk) for pk in publication_ids if pk is not None}
    if not ids:
        return
    now = now or timezone.now()
    public = {
        publication.pk: publication
        for publication in publications_for_records(ids).filter(
            status=Publication.Status.PUBLISHED, published_at__isnull=False
        )
    }
    records = {
        record.publication_id: record
        for record in Record.objects.select_for_update().filter(publication_id__in=ids)
    }
    for pk in sorted(ids):
        publication, record = public.get(pk), records.get(pk)
        if publication is not None:
            _publish(publication, record, now)
        elif record is not None:
            _withdraw(record, now)


def refresh_all(*, batch_size=500):
    """Check every publication and every record; returns how many ids were looked at."""
    ids = set(Publication.objects.values_list("pk", flat=True))
    ids.update(Record.objects.filter(deleted=False).values_list("publication_id", flat=True))
    ordered = sorted(ids)
    for start in range(0, len(ordered), batch_size):
        refresh_records(ordered[start : start + batch_size])
    return len(ordered)


_pending = threading.local()


def schedule_refresh(publication_ids):
    """Refresh these publications' records once the current transaction commits (at once
    outside a transaction). Ids gathered from many changes in one save are refreshed once."""
    ids = {pk for pk in publication_ids if pk is not None}
    if not ids:
        return
    pending = getattr(_pending, "ids", None)
    if pending is None:
        pending = _pending.ids = set()
    pending.update(ids)
    transaction.on_commit(_flush)


def _flush():
    ids = getattr(_pending, "ids", None)
    if ids:
        _pending.ids = set()
        refresh_records(ids)
