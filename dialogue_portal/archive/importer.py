"""Import: each record becomes a publication whole or not at all.

Records are checked first without the database (fields, dates, duplicates within the
archive), then each is written in a savepoint of its own, a few records to a transaction:
the people, institutions and terms it names, its row, authors, terms and files. A record
that fails anywhere rolls back (to its savepoint), and files already stored for it are
removed. A record whose content equals the publication it matches (by archive id) is left
alone, so importing an archive twice changes nothing. ``dry_run`` runs the same checks and
writes inside one transaction that is rolled back, and stores no file."""

import contextlib
import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_slug
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from dialogue_portal.archive import formats
from dialogue_portal.archive.exporter import (
    AFFILIATION_FIELDS,
    FileReader,
    format_datetime,
    institution_entry,
    person_entry,
    publication_record,
    publications_for_export,
    sha256,
    term_entry,
)
from dialogue_portal.archive.source import ArchiveRefused, OversizedFile, manifest_limit
from dialogue_portal.core.uploads import (
    attachment_upload_to,
    banner_upload_to,
    validate_image_upload,
    validate_pdf_upload,
)
from dialogue_portal.desk import first_revisions, services
from dialogue_portal.desk.history import capture
from dialogue_portal.desk.services import is_live
from dialogue_portal.redirects import services as redirects
from dialogue_portal.redirects.addresses import addresses_of
from dialogue_portal.redirects.models import Redirect
from dialogue_portal.redirects.services import object_saved
from people.models import Affiliation, Institution, Person
from publications.models import (
    LANGUAGE_CHOICES,
    Attachment,
    Audience,
    Authorship,
    Programme,
    Project,
    Publication,
    Region,
    Topic,
)
from publications.renditions import refresh_banner_renditions
from publications.search import refresh_search_vector
from publications.signals import publications_changed

TERM_MODELS = {
    "topics": Topic,
    "regions": Region,
    "audiences": Audience,
    "projects": Project,
    "programmes": Programme,
}
LANGUAGES = {code for code, _name in LANGUAGE_CHOICES}
# Records are written in savepoints, this many to a transaction: their revisions are written
# together before it commits, in a few queries for each model rather than a dozen a record.
RECORDS_PER_TRANSACTION = 20
CREATED, UPDATED, UNCHANGED, REFUSED = "created", "updated", "unchanged", "refused"
PROPOSED = "proposed"
ACTION_LABELS = {
    CREATED: gettext_lazy("created"),
    UPDATED: gettext_lazy("updated"),
    UNCHANGED: gettext_lazy("unchanged"),
    REFUSED: gettext_lazy("refused"),
    PROPOSED: gettext_lazy("proposed change"),
}


class Refused(Exception):
    def __init__(self, *reasons):
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


@dataclass
class Outcome:
    place: str
    record_id: str
    action: str
    reasons: list = field(default_factory=list)

    @property
    def label(self):
        return ACTION_LABELS[self.action]

    def __str__(self):
        text = f"{self.place} [{self.record_id or '?'}]: {self.label}"
        return f"{text} — {'; '.join(self.reasons)}" if self.reasons else text


@dataclass
class Report:
    dry_run: bool
    outcomes: list = field(default_factory=list)
    refused_archive: str = ""
    seconds: float = 0.0
    # The archive's redirects: counts by action, and why each refused one was refused.
    redirects: dict = field(default_factory=dict)
    redirect_problems: list = field(default_factory=list)

    def count(self, action):
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def counts(self):
        return {action: self.count(action) for action in (CREATED, UPDATED, UNCHANGED, REFUSED)}

    def audit_counts(self):
        """What the import did, in the audit trail's words (not the editor's language)."""
        return ", ".join(f"{count} {action}" for action, count in self.counts.items())

    def summary(self):
        if self.refused_archive:
            return _("Archive refused: %(reason)s") % {"reason": self.refused_archive}
        counts = self.counts
        text = (
            _(
                "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                "%(refused)s refused"
            )
            % counts
        )
        if any(self.redirects.values()):
            text += (
                "; "
                + _(
                    "redirects: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                    "%(refused)s refused"
                )
                % self.redirects
            )
        if self.count(PROPOSED):
            text += "; " + _("%(proposed)s proposed to the reviewers") % {
                "proposed": self.count(PROPOSED)
            }
        if self.dry_run:
            text = _("Dry run (nothing was written): %(text)s") % {"text": text}
        return text

    def lines(self):
        return [str(outcome) for outcome in self.outcomes]

    def redirect_lines(self):
        return list(self.redirect_problems)


class _RollBack(Exception):
    pass


class _Proposed(Exception):  # noqa: N818 - a signal to roll back, not an error
    def __init__(self, versions):
        super().__init__()
        self.versions = versions


def import_archive(source, *, dry_run=False, progress=None, user=None, may_publish=None):
    """Import everything ``source`` (a FolderSource or ZipSource) holds; returns a Report.
    Each publication, person, institution and term it creates or changes gets a revision of
    what it imported (by ``user`` when an editor uploaded the archive).

    The review rule of the admin holds: unless ``may_publish`` (by default: no ``user``, the
    command line's system import, or a user with the publish permission), a record marked
    published becomes a draft in review, and a change to a live publication a proposal.
    What an import publishes is recorded as a decision."""
    report = Report(dry_run=dry_run)
    started = time.monotonic()
    try:
        parsed = read_archive(source)
    except (ArchiveRefused, formats.ManifestRefused) as error:
        report.refused_archive = str(error)
        return report
    if may_publish is None:
        may_publish = user is None or services.can_publish(user)
    importer = Importer(source, parsed, dry_run=dry_run, user=user, may_publish=may_publish)
    if dry_run:
        try:
            with transaction.atomic():
                importer.run(report, progress)
                import_redirects(parsed.redirects, report)
                raise _RollBack
        except _RollBack:
            pass
    else:
        with _commits_without_waiting_for_disk():
            importer.run(report, progress)
        import_redirects(parsed.redirects, report)
    report.seconds = time.monotonic() - started
    return report


@contextlib.contextmanager
def _commits_without_waiting_for_disk():
    """PostgreSQL: each commit does not wait for its WAL to reach the disk
    (``synchronous_commit = off``, for this connection and this import only). Every
    record stays all-or-nothing; a crash of the database server may lose the last few
    records committed, which importing the archive again brings back."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def read_archive(source):
    """The registries and records of every manifest, RIS and BibTeX file at the top."""
    names = source.names()
    top = [name for name in names if "/" not in name]
    readers = []
    if "manifest.json" in top:
        readers.append(("manifest.json", formats.parse_json))
    elif "manifest.csv" in top:
        readers.append(("manifest.csv", formats.parse_csv))
    readers += [(name, formats.parse_ris) for name in top if name.lower().endswith(".ris")]
    readers += [(name, formats.parse_bibtex) for name in top if name.lower().endswith(".bib")]
    if not readers:
        raise ArchiveRefused(
            _("The archive has no manifest.json, manifest.csv, .ris or .bib file at its top.")
        )
    merged = formats.Parsed()
    soft = {kind: {} for kind in formats.REGISTRY_KINDS}
    for name, parse in readers:
        try:
            data = source.read(name, manifest_limit())
        except OversizedFile:
            raise ArchiveRefused(
                _("%(name)s is larger than %(limit)s.")
                % {"name": name, "limit": filesizeformat(manifest_limit())}
            ) from None
        parsed = parse(data, name)
        target = soft if parsed.soft else merged.registries
        for kind, entries in parsed.registries.items():
            for slug, entry in entries.items():
                target[kind].setdefault(slug, entry)
        merged.records += parsed.records
        merged.redirects += parsed.redirects
    merged.soft_registries = soft
    return merged


# --- redirects ---------------------------------------------------------------------------

REDIRECT_KEYS = {"old_path", "target", "status", "include_below", "source", "note"}


def _redirect_row(entry):
    """A redirect of the manifest checked as the admin checks one (ValidationError if not)."""
    if not isinstance(entry, dict):
        raise ValidationError(_("not an object"))
    unknown = sorted(set(entry) - REDIRECT_KEYS)
    if unknown:
        raise ValidationError(_("unknown fields: %(keys)s") % {"keys": ", ".join(unknown)})
    texts = [entry.get(key) or "" for key in ("old_path", "target", "note")]
    if not all(isinstance(text, str) for text in texts):
        raise ValidationError(_("old_path, target and note must be text"))
    key, target, status = redirects.clean_row(texts[0], texts[1], entry.get("status"))
    if len(texts[2]) > 200:
        raise ValidationError(_("The note is longer than 200 characters."))
    source = entry.get("source")
    if source not in Redirect.Source.values:
        source = Redirect.Source.IMPORTED
    below = entry.get("include_below") is True
    return redirects.Row(key, target, status, below, texts[2], source=source)


def import_redirects(entries, report):
    """Each redirect of the archive, on its own: one refused (with its reason in the
    report) leaves the others to be saved."""
    counts = dict.fromkeys((CREATED, UPDATED, UNCHANGED, REFUSED), 0)
    for number, entry in enumerate(entries, start=1):
        try:
            row = _redirect_row(entry)
            with transaction.atomic():
                ((_row, action),) = redirects.import_redirects([row])
        except ValidationError as error:
            counts[REFUSED] += 1
            report.redirect_problems.append(
                _("redirect %(number)s: %(reasons)s")
                % {"number": number, "reasons": "; ".join(error.messages)}
            )
            continue
        counts[action] += 1
    report.redirects = counts


# --- checking a record without the database ---------------------------------------------


def _text(data, key, errors, *, required=False, default=""):
    value = data.get(key, default)
    if value is None:
        value = default
    if not isinstance(value, str):
        errors.append(_("%(field)s: not text") % {"field": key})
        return default
    value = value.strip() if key not in ("body", "summary") else value
    if required and not value.strip():
        errors.append(_("%(field)s: missing") % {"field": key})
    return value


def _slug(value, what, errors):
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        errors.append(_("%(field)s: not text") % {"field": what})
        return None
    try:
        validate_slug(value)
    except ValidationError:
        errors.append(_("%(field)s: “%(value)s” is not a slug") % {"field": what, "value": value})
        return None
    return value


def _when(value, errors):
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        errors.append(_("published_at: not text"))
        return None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is not None:
                moment = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        moment = None
    if moment is None:
        errors.append(_("published_at: “%(value)s” is not a date") % {"value": value[:40]})
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _flag(value, errors):
    if isinstance(value, bool):
        return value
    if value in (None, ""):
        return False
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("0", "false", "no"):
        return False
    errors.append(_("featured: “%(value)s” is not yes or no") % {"value": value})
    return False


def _file_entry(entry, what, keys, errors):
    if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
        errors.append(_("%(what)s: no file path") % {"what": what})
        return None
    unknown = sorted(set(entry) - {"file", "sha256", *keys})
    if unknown:
        errors.append(
            _("%(what)s: unknown fields: %(keys)s") % {"what": what, "keys": ", ".join(unknown)}
        )
    result = {"file": entry["file"], "sha256": entry.get("sha256")}
    for key in keys:
        result[key] = _text(entry, key, errors)
    return result


def check_record(data):
    """The record in the manifest's canonical shape, or Refused with every reason."""
    errors = []
    record_id = data.get("id")
    if isinstance(record_id, int) and not isinstance(record_id, bool):
        record_id = str(record_id)
    if not isinstance(record_id, str) or not record_id.strip() or len(record_id) > 200:
        errors.append(_("id: missing, or longer than 200 characters"))
        record_id = None
    title = _text(data, "title", errors, required=True)
    slug = data.get("slug") or slugify(title)[:200]
    slug = _slug(slug, "slug", errors)
    if slug is None and not errors:
        errors.append(_("slug: missing"))
    kind = data.get("kind") or Publication.Kind.REPORT
    if not isinstance(kind, str) or kind not in Publication.Kind.values:
        errors.append(_("kind: “%(value)s” is not a kind of publication") % {"value": kind})
    language = data.get("language") or "en"
    if not isinstance(language, str) or language not in LANGUAGES:
        errors.append(
            _("language: “%(value)s” is not a language of the site") % {"value": language}
        )
        language = "en"  # refused already; keeps the checks below to their own fields
    status = data.get("status") or Publication.Status.PUBLISHED
    if not isinstance(status, str) or status not in Publication.Status.values:
        errors.append(_("status: “%(value)s” is not a status") % {"value": status})
    published_at = _when(data.get("published_at"), errors)
    if (
        status == Publication.Status.PUBLISHED
        and published_at is None
        and not any(error.startswith("published_at") for error in errors)
    ):
        errors.append(_("published_at: a published publication needs a publish date"))
    part = data.get("project_part")
    if isinstance(part, str) and part.strip():
        part = int(part) if part.strip().isdigit() else part
    if part in ("", None):
        part = None
    elif not isinstance(part, int) or isinstance(part, bool) or not 1 <= part <= 32767:
        errors.append(_("project_part: “%(value)s” is not a whole number from 1") % {"value": part})
        part = None
    terms = {}
    for kind_name in ("topics", "regions", "audiences"):
        values = data.get(kind_name) or []
        if not isinstance(values, list):
            errors.append(_("%(field)s: not a list") % {"field": kind_name})
            values = []
        terms[kind_name] = sorted({_slug(value, kind_name, errors) for value in values} - {None})
    authors, seen = [], set()
    raw_authors = data.get("authors") or []
    if not isinstance(raw_authors, list):
        errors.append(_("authors: not a list"))
        raw_authors = []
    for number, author in enumerate(raw_authors, start=1):
        what = _("author %(number)s") % {"number": number}
        if not isinstance(author, dict):
            errors.append(_("%(what)s: not an object") % {"what": what})
            continue
        unknown = sorted(set(author) - {"person", "position", "position_ru", "institution"})
        if unknown:
            errors.append(
                _("%(what)s: unknown fields: %(keys)s") % {"what": what, "keys": ", ".join(unknown)}
            )
        person = _slug(author.get("person"), what, errors)
        if person is None:
            errors.append(_("%(what)s: no person") % {"what": what})
        elif person in seen:
            errors.append(
                _("%(what)s: “%(person)s” is named twice") % {"what": what, "person": person}
            )
        seen.add(person)
        authors.append(
            {
                "person": person,
                "position": _text(author, "position", errors),
                "position_ru": _text(author, "position_ru", errors),
                "institution": _slug(author.get("institution"), what, errors),
            }
        )
    banner = data.get("banner")
    if banner is not None:
        banner = _file_entry(banner, _("banner"), ("alt", "caption", "credit"), errors)
    attachments = []
    raw_attachments = data.get("attachments") or []
    if not isinstance(raw_attachments, list):
        errors.append(_("attachments: not a list"))
        raw_attachments = []
    for number, entry in enumerate(raw_attachments, start=1):
        what = _("attachment %(number)s") % {"number": number}
        checked = _file_entry(entry, what, ("title", "language"), errors)
        if checked:
            checked["title"] = checked["title"] or PurePosixPath(checked["file"]).stem
            checked["language"] = checked["language"] or language
            if checked["language"] not in LANGUAGES:  # _text made it a string
                errors.append(_("%(what)s: unknown language") % {"what": what})
            attachments.append(checked)
    record = {
        "id": record_id,
        "slug": slug,
        "kind": kind,
        "language": language,
        "status": status,
        "published_at": format_datetime(published_at),
        "featured": _flag(data.get("featured"), errors),
        "title": title,
        "subtitle": _text(data, "subtitle", errors),
        "summary": _text(data, "summary", errors, required=True),
        "body": _text(data, "body", errors),
        "translation_of": _text(data, "translation_of", errors) or None,
        "project": _slug(data.get("project"), "project", errors),
        "project_part": part,
        "programme": _slug(data.get("programme"), "programme", errors),
        **terms,
        "authors": authors,
        "banner": banner,
        "attachments": attachments,
    }
    if part is not None and record["project"] is None:
        errors.append(_("project_part: a part number needs a project"))
    if errors:
        raise Refused(*errors)
    return record, published_at


def _without_paths(record):
    """A record to compare content with: file paths differ between archives, digests not."""
    compared = dict(record)
    if compared["banner"]:
        compared["banner"] = {k: v for k, v in compared["banner"].items() if k != "file"}
    compared["attachments"] = [
        {k: v for k, v in entry.items() if k != "file"} for entry in compared["attachments"]
    ]
    return compared


# --- writing ----------------------------------------------------------------------------


class Importer:
    def __init__(self, source, parsed, *, dry_run, user=None, may_publish=True):
        self.may_publish = may_publish
        self.source = source
        self.parsed = parsed
        self.dry_run = dry_run
        self.user = user
        self.written = []  # what the record being written created or changed
        self.kept = []  # what the records of the transaction wrote and kept (their revisions)
        # (kind, slug) → pk of registry entries already written or checked in this run
        self.synced = {}
        self.reader = FileReader()

    def run(self, report, progress=None):
        checked = []
        ids, slugs = {}, {}
        for record in self.parsed.records:
            data = record.data or {}
            record_id = data.get("id") if isinstance(data.get("id"), str) else ""
            if record.error:
                report.outcomes.append(Outcome(record.place, record_id, REFUSED, [record.error]))
                continue
            try:
                clean, published_at = check_record(data)
            except Refused as refused:
                report.outcomes.append(Outcome(record.place, record_id, REFUSED, refused.reasons))
                continue
            duplicate = []
            if clean["id"] in ids:
                duplicate.append(
                    _("id “%(id)s” is also used by %(place)s")
                    % {"id": clean["id"], "place": ids[clean["id"]]}
                )
            if clean["slug"] in slugs:
                duplicate.append(
                    _("slug “%(slug)s” is also used by %(place)s")
                    % {"slug": clean["slug"], "place": slugs[clean["slug"]]}
                )
            ids.setdefault(clean["id"], record.place)
            slugs.setdefault(clean["slug"], record.place)
            if duplicate:
                report.outcomes.append(Outcome(record.place, clean["id"], REFUSED, duplicate))
                continue
            checked.append((record, clean, published_at))
        # Originals before their translations, which link to them.
        checked.sort(key=lambda item: item[1]["translation_of"] is not None)
        refused_ids = set()
        total = len(checked)
        for start in range(0, total, RECORDS_PER_TRANSACTION):
            batch = checked[start : start + RECORDS_PER_TRANSACTION]
            with transaction.atomic():
                self.import_batch(batch, report, refused_ids)
            if progress:  # after the commit, which SQLite needs to write the job's row
                progress(start + len(batch), total)
        order = {record.place: number for number, record in enumerate(self.parsed.records)}
        report.outcomes.sort(key=lambda outcome: order.get(outcome.place, 0))

    def import_batch(self, batch, report, refused_ids):
        """The records of one transaction, each in a savepoint, then the revisions of what
        they kept (a refused record rolled back: it has none)."""
        self.kept = []
        for record, clean, published_at in batch:
            outcome = Outcome(record.place, clean["id"], "")
            if clean["translation_of"] in refused_ids:
                outcome.action = REFUSED
                outcome.reasons = [
                    _("its original “%(id)s” was refused") % {"id": clean["translation_of"]}
                ]
            else:
                self.import_one(clean, published_at, outcome)
            if outcome.action == REFUSED:
                refused_ids.add(clean["id"])
            report.outcomes.append(outcome)
        if not self.dry_run:  # a dry run's writes are rolled back: nothing to keep
            # The state imported, before any editor changes it: the original stays restorable.
            first_revisions.record_together(
                self.kept, comment=first_revisions.IMPORTED, user=self.user
            )

    def import_one(self, clean, published_at, outcome):
        stored = []  # files written for this record, removed again if it fails
        self.held_back = False
        synced_before = dict(self.synced)
        self.written = []
        try:
            with transaction.atomic():
                outcome.action = self.write(clean, published_at, stored)
            self.kept += self.written
            if outcome.action == PROPOSED:
                outcome.reasons = [
                    _("would become a proposal: readers keep the published version")
                    if self.dry_run
                    else _(
                        "became a proposal: readers keep the published version until a "
                        "reviewer approves it"
                    )  # fmt: skip
                ]
            elif self.held_back:
                outcome.reasons = [
                    _("marked published: would be submitted for review instead")
                    if self.dry_run
                    else _("marked published: submitted for review instead")
                ]
        except Refused as refused:
            outcome.action, outcome.reasons = REFUSED, refused.reasons
        except ValidationError as error:
            outcome.action, outcome.reasons = REFUSED, _messages(error)
        except ArchiveRefused as error:
            outcome.action, outcome.reasons = REFUSED, [str(error)]
        except IntegrityError as error:  # a constraint the checks above did not foresee
            outcome.action, outcome.reasons = (
                REFUSED,
                [_("the database refused it: %(error)s") % {"error": str(error).splitlines()[0]}],
            )
        if outcome.action == REFUSED:
            self.synced = synced_before
            for name in stored:
                default_storage.delete(name)

    # The record: registries first, then the publication and everything hanging from it.
    def write(self, clean, published_at, stored):
        existing, slug_taken = self.find(clean["id"], clean["slug"])
        if slug_taken:
            raise Refused(
                _("slug “%(slug)s” is already used by another publication on the site")
                % {"slug": clean["slug"]}
            )
        changed = self.sync_registries(clean)
        original = None
        if clean["translation_of"]:
            original, _taken = self.find(clean["translation_of"], clean["translation_of"])
            if original is None:
                raise Refused(
                    _("translation_of: no publication “%(id)s” in the archive or on the site")
                    % {"id": clean["translation_of"]}
                )
        files = self.read_files(clean)
        if existing is not None:
            current = publication_record(
                publications_for_export(Publication.objects.filter(pk=existing.pk)).get(),
                self.reader.digest,
            )
            if (
                _without_paths(current) == _without_paths(clean)
                and existing.external_id == clean["id"]
            ):
                return UPDATED if changed else UNCHANGED
        else:
            current = None
        if existing is not None and is_live(existing) and not self.may_publish:
            return self.propose(existing, clean, published_at, original, current, files, stored)
        was_public = existing is not None and is_live(existing)
        publication = self.write_publication(
            existing, clean, published_at, original, current, files, stored
        )
        self.written.append(publication)
        if is_live(publication) and not was_public:
            services.published_directly(
                publication=publication, user=self.user, comment=_("Published by an import.")
            )
        elif self.submitted and not self.dry_run:
            services.submit(publication=publication, user=self.user)
        return CREATED if existing is None else UPDATED

    def propose(self, existing, clean, published_at, original, current, files, stored):
        """A change to a live publication by someone who may not publish: written, kept as
        a proposal (the files it brings stay stored, the replaced ones too) and rolled
        back, so readers see the published rows until a reviewer approves."""
        try:
            with transaction.atomic():
                self.write_publication(
                    existing, clean, published_at, original, current, files, stored
                )
                raise _Proposed(capture(existing))
        except _Proposed as proposed:
            versions = proposed.versions
        publication = Publication.objects.get(pk=existing.pk)
        services.propose(publication=publication, user=self.user, versions=versions)
        return PROPOSED

    def write_publication(self, existing, clean, published_at, original, current, files, stored):
        publication = existing or Publication()
        addresses_before = addresses_of(publication) if existing is not None else []
        self.fill(publication, clean, published_at, original)
        self.submitted = False
        if not self.may_publish and is_live(publication):
            # Published in the archive, not by a reviewer: a draft in review instead.
            publication.status = Publication.Status.REVIEW
            self.submitted = self.held_back = True
        elif publication.status == Publication.Status.REVIEW and (
            existing is None or current["status"] != Publication.Status.REVIEW
        ):
            self.submitted = True
        # Uniqueness and constraints: checked above, and by the database on save.
        publication.full_clean(
            exclude=["banner_image"], validate_unique=False, validate_constraints=False
        )
        publication.save()
        if existing is None or addresses_before != addresses_of(publication):
            # A new slug: the old address redirects to it; an old address it takes is its.
            object_saved(obj=publication, before=addresses_before)
        self.write_banner(publication, clean, current, files, stored)
        self.write_attachments(publication, clean, current, files, stored)
        self.write_authors(publication, clean, current)
        for kind in ("topics", "regions", "audiences"):
            ids = [self.synced[(kind, slug)] for slug in clean[kind]]
            if current is None:
                field = Publication._meta.get_field(kind)
                through, column = field.remote_field.through, f"{field.m2m_reverse_field_name()}_id"
                through.objects.bulk_create(
                    [through(publication_id=publication.pk, **{column: pk}) for pk in ids]
                )
            elif current[kind] != clean[kind]:
                getattr(publication, kind).set(ids)
        if not self.dry_run:
            refresh_search_vector(publication)
            if publication.banner_image:
                refresh_banner_renditions(publication)
        # Authors, files and terms went in with bulk inserts, which send no model signal:
        # apps that follow publications' changes (the OAI records) hear of them here.
        publications_changed.send(sender=Publication, ids=[publication.pk])
        return publication

    def find(self, record_id, slug):
        """(the publication a record id names, whether another one has the slug), in one
        query. The id names the publication imported with it or (an export of this site,
        whose ids are slugs) the publication with that slug and no archive id."""
        rows = list(
            Publication.objects.filter(
                Q(external_id=record_id) | Q(slug=slug) | Q(slug=record_id, external_id=None)
            )
        )
        found = next((row for row in rows if row.external_id == record_id), None)
        if found is None:
            found = next(
                (row for row in rows if row.slug == record_id and row.external_id is None), None
            )
        taken = any(row.slug == slug and row != found for row in rows)
        return found, taken

    def fill(self, publication, clean, published_at, original):
        for name in ("slug", "kind", "language", "status", "featured", "title", "subtitle",
                     "summary", "body", "project_part"):  # fmt: skip
            setattr(publication, name, clean[name])
        publication.external_id = clean["id"]
        publication.published_at = published_at
        publication.translation_of = original
        publication.project_id = (
            self.synced[("projects", clean["project"])] if clean["project"] else None
        )
        publication.programme_id = (
            self.synced[("programmes", clean["programme"])] if clean["programme"] else None
        )
        if clean["banner"]:
            publication.banner_alt = clean["banner"]["alt"]
            publication.banner_caption = clean["banner"]["caption"]
            publication.banner_credit = clean["banner"]["credit"]
        else:
            publication.banner_alt = publication.banner_caption = publication.banner_credit = ""

    # Files: read within the limits, checked as the admin checks uploads, stored under
    # generated names (nothing the archive names reaches a path on disk).
    def read_files(self, clean):
        files = {}
        wanted = []
        if clean["banner"]:
            wanted.append((_("banner"), clean["banner"], settings.BANNER_MAX_BYTES, True))
        for number, entry in enumerate(clean["attachments"], start=1):
            what = _("attachment %(number)s") % {"number": number}
            wanted.append((what, entry, settings.ATTACHMENT_MAX_BYTES, False))
        for what, entry, limit, is_image in wanted:
            path = entry["file"]
            try:
                data = self.source.read(path, limit)
            except FileNotFoundError:
                raise Refused(
                    _("%(what)s: “%(path)s” is not in the archive") % {"what": what, "path": path}
                ) from None
            except OversizedFile:
                raise Refused(
                    _("%(what)s: “%(path)s” is larger than the limit of %(limit)s")
                    % {"what": what, "path": path, "limit": filesizeformat(limit)}
                ) from None
            digest = sha256(data)
            if entry["sha256"] and entry["sha256"] != digest:
                raise Refused(
                    _("%(what)s: “%(path)s” does not match its sha256")
                    % {"what": what, "path": path}
                )
            entry["sha256"] = digest
            upload = SimpleUploadedFile(PurePosixPath(path).name, data)
            try:
                (validate_image_upload if is_image else validate_pdf_upload)(upload)
            except ValidationError as error:
                raise Refused(
                    *(f"{what}: “{path}”: {message}" for message in _messages(error))
                ) from None
            size = None
            if is_image:
                upload.seek(0)
                with Image.open(upload) as image:
                    size = image.size
            files[path] = (data, size)
        return files

    def store(self, name, data, stored):
        if self.dry_run:
            return name
        saved = default_storage.save(name, ContentFile(data))
        stored.append(saved)
        return saved

    def write_banner(self, publication, clean, current, files, stored):
        incoming = clean["banner"]
        before = current["banner"] if current else None
        if (incoming and before and incoming["sha256"] == before["sha256"]) or (
            not incoming and not before
        ):
            return
        old = publication.banner_image.name if publication.banner_image else ""
        if incoming:
            data, (width, height) = files[incoming["file"]]
            name = self.store(
                banner_upload_to(publication, PurePosixPath(incoming["file"]).name), data, stored
            )
        else:
            name, width, height = "", None, None
        Publication.objects.filter(pk=publication.pk).update(
            banner_image=name, banner_width=width, banner_height=height, banner_renditions={}
        )
        if not self.dry_run:  # a dry run stored no file to measure
            publication.refresh_from_db(
                fields=["banner_image", "banner_width", "banner_height", "banner_renditions"]
            )
        if old:
            self.forget_on_commit(old)

    def write_attachments(self, publication, clean, current, files, stored):
        if current is not None and [
            {k: v for k, v in entry.items() if k != "file"} for entry in current["attachments"]
        ] == [{k: v for k, v in entry.items() if k != "file"} for entry in clean["attachments"]]:
            return
        old = []
        if current is not None:
            old = list(publication.attachments.values_list("file", flat=True))
            publication.attachments.all().delete()
        rows = []
        for order, entry in enumerate(clean["attachments"], start=1):
            data, _size = files[entry["file"]]
            name = self.store(
                attachment_upload_to(None, PurePosixPath(entry["file"]).name), data, stored
            )
            rows.append(
                Attachment(
                    publication=publication,
                    file=name,
                    title=entry["title"],
                    language=entry["language"],
                    size_bytes=len(data),
                    order=order,
                )
            )
        for row in rows:
            row.full_clean(exclude=["file", "publication"], validate_constraints=False)
        Attachment.objects.bulk_create(rows)
        for name in old:
            self.forget_on_commit(name)

    def forget_on_commit(self, name):
        """Remove a replaced file once the change is committed, unless something still
        points at it (generated content shares one PDF among many attachments)."""
        if self.dry_run:
            return

        def remove():
            in_use = (
                Attachment.objects.filter(file=name).exists()
                or Publication.objects.filter(banner_image=name).exists()
                or Person.objects.filter(photo=name).exists()
            )
            if not in_use:
                default_storage.delete(name)

        transaction.on_commit(remove)

    def write_authors(self, publication, clean, current):
        if current is not None and current["authors"] == clean["authors"]:
            return
        if current is not None:
            publication.authorships.all().delete()
        rows = [
            Authorship(
                publication=publication,
                person_id=self.synced[("people", author["person"])],
                order=order,
                byline_position=author["position"],
                byline_position_ru=author["position_ru"],
                institution_id=(
                    self.synced[("institutions", author["institution"])]
                    if author["institution"]
                    else None
                ),
            )
            for order, author in enumerate(clean["authors"], start=1)
        ]
        for row in rows:
            row.full_clean(
                exclude=["publication", "person", "institution"],
                validate_unique=False,
                validate_constraints=False,
            )
        Authorship.objects.bulk_create(rows)

    # --- people, institutions and terms ---------------------------------------------------

    def sync_registries(self, clean):
        """Create or update what the record names; True when anything changed."""
        changed = False
        institutions = {a["institution"] for a in clean["authors"] if a["institution"]}
        named = []  # institutions the registries' entries name (checked as they are written)
        for author in clean["authors"]:
            affiliations = (self.entry("people", author["person"]) or {}).get("affiliations")
            if isinstance(affiliations, list):
                named += [a.get("institution") for a in affiliations if isinstance(a, dict)]
        terms = {kind: set(clean[kind]) for kind in ("topics", "regions", "audiences")}
        terms["projects"] = {clean["project"]} - {None}
        terms["programmes"] = {clean["programme"]} - {None}
        for slug in terms["projects"]:
            listed = (self.entry("projects", slug) or {}).get("institutions")
            named += listed if isinstance(listed, list) else []
        for slug in terms["programmes"]:
            named.append((self.entry("programmes", slug) or {}).get("institution"))
        institutions |= {slug for slug in named if isinstance(slug, str) and slug}
        for slug in sorted(institutions - {None}):
            changed |= self.sync("institutions", slug)
        for author in clean["authors"]:
            changed |= self.sync("people", author["person"])
        for kind, slugs in terms.items():
            for slug in sorted(slugs):
                changed |= self.sync(kind, slug)
        return changed

    def entry(self, kind, slug):
        return self.parsed.registries[kind].get(slug)

    def sync(self, kind, slug):
        if (kind, slug) in self.synced:
            return False
        hard = self.parsed.registries[kind].get(slug)
        soft = self.parsed.soft_registries[kind].get(slug)
        model = {"institutions": Institution, "people": Person, **TERM_MODELS}[kind]
        existing = model.objects.filter(slug=slug).first()
        what = _("%(kind)s “%(slug)s”") % {"kind": kind, "slug": slug}
        if hard is None:
            if existing is None and soft is None:
                raise Refused(
                    _("%(what)s is neither in the archive nor on the site") % {"what": what}
                )
            if existing is None:
                obj = self.create_from_name(kind, model, soft, what)
                self.synced[(kind, slug)] = obj.pk
                self.written.append(obj)
                return True
            self.synced[(kind, slug)] = existing.pk
            return False
        wanted = self.normalise_entry(kind, hard, what)
        if existing is not None and self.canonical(kind, existing) == wanted:
            self.synced[(kind, slug)] = existing.pk
            return False
        obj = self.write_entry(kind, model, existing, wanted, what)
        self.synced[(kind, slug)] = obj.pk
        self.written.append(obj)
        return True

    def canonical(self, kind, obj):
        if kind == "institutions":
            return institution_entry(obj)
        if kind == "people":
            affiliations = obj.affiliations.select_related("institution").order_by(
                "-is_current", "order", "-start_year", "pk"
            )
            return person_entry(obj, affiliations)
        return term_entry(kind, obj)

    def normalise_entry(self, kind, entry, what):
        if kind == "institutions":
            template = institution_entry(Institution(slug=entry["slug"]))
        elif kind == "people":
            template = person_entry(Person(slug=entry["slug"]), [])
        else:
            template = {
                "slug": entry["slug"], "name": "", "name_ru": "", "description": "",
                "description_ru": "",
            }  # fmt: skip
            if kind == "projects":
                template |= {"started": None, "ended": None, "institutions": []}
            if kind == "programmes":
                template["institution"] = None
        unknown = sorted(set(entry) - set(template))
        if unknown:
            raise Refused(
                _("%(what)s: unknown fields: %(keys)s") % {"what": what, "keys": ", ".join(unknown)}
            )
        wanted = {key: entry.get(key, default) for key, default in template.items()}
        for key, value in wanted.items():
            if value is None and isinstance(template[key], str):
                wanted[key] = ""
        for key in ("affiliations", "institutions"):
            if key in wanted and not isinstance(wanted[key] or [], list):
                raise Refused(_("%(what)s: %(field)s is not a list") % {"what": what, "field": key})
        for key, value in wanted.items():
            if key not in ("affiliations", "institutions") and isinstance(value, (dict, list)):
                raise Refused(_("%(what)s: %(field)s: not text") % {"what": what, "field": key})
        if kind == "people":
            affiliations = []
            for item in wanted["affiliations"] or []:
                if not isinstance(item, dict) or not isinstance(item.get("institution"), str):
                    raise Refused(
                        _("%(what)s: an affiliation without an institution") % {"what": what}
                    )
                row = {"institution": item["institution"]}
                for name in AFFILIATION_FIELDS:
                    default = True if name == "is_current" else (0 if name == "order" else None)
                    if name in ("role", "role_ru", "department", "department_ru"):
                        default = ""
                    row[name] = item.get(name, default)
                affiliations.append(row)
            wanted["affiliations"] = affiliations
        if kind == "projects":
            if not all(isinstance(slug, str) for slug in wanted["institutions"] or []):
                raise Refused(_("%(what)s: institutions: not a list of slugs") % {"what": what})
            wanted["institutions"] = sorted(wanted["institutions"] or [])
        return wanted

    def write_entry(self, kind, model, existing, wanted, what):
        obj = existing or model(slug=wanted["slug"])
        plain = {
            key: value
            for key, value in wanted.items()
            if key not in ("slug", "affiliations", "institutions", "institution")
        }
        for key in ("started", "ended"):
            if key in plain:
                plain[key] = parse_date(plain[key]) if plain[key] else None
        for key, value in plain.items():
            setattr(obj, key, value)
        if kind == "programmes":
            obj.institution = (
                Institution.objects.get(slug=wanted["institution"])
                if wanted["institution"]
                else None
            )
        try:
            obj.full_clean(exclude=["photo"], validate_unique=existing is None)
        except ValidationError as error:
            raise Refused(*(f"{what}: {message}" for message in _messages(error))) from None
        obj.save()
        if kind == "projects":
            obj.institutions.set(Institution.objects.filter(slug__in=wanted["institutions"]))
        if kind == "people":
            obj.affiliations.all().delete()
            institutions = Institution.objects.in_bulk(
                [row["institution"] for row in wanted["affiliations"]], field_name="slug"
            )
            for row in wanted["affiliations"]:
                if row["institution"] not in institutions:
                    raise Refused(
                        _("%(what)s: institution “%(slug)s” is unknown")
                        % {"what": what, "slug": row["institution"]}
                    )
                affiliation = Affiliation(
                    person=obj,
                    institution=institutions[row["institution"]],
                    **{name: row[name] for name in AFFILIATION_FIELDS},
                )
                affiliation.full_clean(exclude=["person", "institution"])
                affiliation.save()
        return obj

    def create_from_name(self, kind, model, entry, what):
        fields = {key: value for key, value in entry.items() if key != "slug"}
        obj = model(slug=entry["slug"], **fields)
        try:
            obj.full_clean(exclude=["photo"])
        except ValidationError as error:
            raise Refused(*(f"{what}: {message}" for message in _messages(error))) from None
        obj.save()
        return obj


def _messages(error):
    if hasattr(error, "message_dict"):
        return [
            f"{name}: {message}" if name != "__all__" else message
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)
