"""What a revision of a publication holds, and how two of them differ.

django-reversion stores each admin save as one Revision: the saved object serialized as JSON
(its many-to-many ids included) and, for a publication, each of its authorships and
attachments beside it. A ``Snapshot`` reads such a set of serialized objects back - from a
revision, from a proposal (``Proposal.versions``) or from the rows as they are now - and
``compare`` lays two snapshots side by side, field by field, in the editor's language.
"""

import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import reversion
from django.core import serializers
from django.template.defaultfilters import capfirst, filesizeformat
from django.utils import formats, timezone
from django.utils.html import escape, format_html, format_html_join, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from reversion.models import Version

from people.models import Affiliation, Institution, Person
from polls.models import Choice, Poll
from publications.models import (
    Attachment,
    Audience,
    Authorship,
    Programme,
    Project,
    Publication,
    Region,
    Topic,
)

TERMS = (Topic, Region, Audience, Programme, Project)

# Kept by readers, or rebuilt on every save: never part of a revision, never restored.
PUBLICATION_UNVERSIONED = [
    "rating_count",
    "rating_sum",
    "ranked_average",
    "ranked_count",
    "view_count",
    "download_count",
    "search_vector",
    "banner_renditions",
]

# The publication's own fields a compare shows, in the order of the admin form; the
# publishing state (status, publish date) is shown but never restored (services.apply).
COMPARED_FIELDS = [
    "kind",
    "title",
    "subtitle",
    "slug",
    "doi",
    "summary",
    "body",
    "status",
    "published_at",
    "featured",
    "language",
    "translation_of",
    "banner_image",
    "banner_alt",
    "banner_caption",
    "banner_credit",
    "topics",
    "regions",
    "audiences",
    "project",
    "project_part",
    "programme",
]
PUBLISHING_STATE = {"status", "published_at"}
RESTORED_FIELDS = [
    name for name in COMPARED_FIELDS if name not in PUBLISHING_STATE and name != "banner_image"
] + ["banner_image", "banner_width", "banner_height"]
M2M_FIELDS = {"topics": Topic, "regions": Region, "audiences": Audience}
FK_FIELDS = {"translation_of": Publication, "project": Project, "programme": Programme}


def register_models():
    """Every model editors change in the admin, each save one revision with what it owns."""
    if reversion.is_registered(Publication):
        return
    reversion.register(
        Publication, follow=["authorships", "attachments"], exclude=PUBLICATION_UNVERSIONED
    )
    reversion.register(Authorship)
    reversion.register(Attachment, exclude=["download_count"])
    for model in TERMS:
        reversion.register(model)
    reversion.register(Person, follow=["affiliations"])
    reversion.register(Affiliation)
    reversion.register(Institution)
    reversion.register(Poll, follow=["choices"], exclude=["total_votes"])
    reversion.register(Choice, exclude=["vote_count"])


def serialize(obj):
    """One object as a revision stores it (reversion's format and field selection)."""
    options = reversion.revisions._get_options(type(obj))
    return serializers.serialize(options.format, (obj,), fields=options.fields)


def capture(publication):
    """The publication as it is in the database now, with its authorships and attachments,
    serialized as a revision stores it: what a proposal keeps."""
    publication = Publication.objects.get(pk=publication.pk)
    return (
        [serialize(publication)]
        + [serialize(row) for row in publication.authorships.order_by("order", "pk")]
        + [serialize(row) for row in publication.attachments.order_by("order", "pk")]
    )


@dataclass
class Snapshot:
    """A publication with its authorships, attachments and tags as one revision had them."""

    publication: Publication
    m2m: dict
    authorships: list = field(default_factory=list)
    attachments: list = field(default_factory=list)

    @classmethod
    def from_serialized(cls, records, publication_id):
        publication, m2m, authorships, attachments = None, {}, [], []
        for data in records:
            for item in serializers.deserialize("json", data, ignorenonexistent=True):
                obj = item.object
                if isinstance(obj, Publication) and obj.pk == publication_id:
                    publication, m2m = obj, {k: list(v) for k, v in item.m2m_data.items()}
                elif isinstance(obj, Authorship) and obj.publication_id == publication_id:
                    authorships.append(obj)
                elif isinstance(obj, Attachment) and obj.publication_id == publication_id:
                    attachments.append(obj)
        if publication is None:
            return None
        authorships.sort(key=lambda row: (row.order, row.pk))
        attachments.sort(key=lambda row: (row.order, row.pk))
        return cls(publication, m2m, authorships, attachments)

    @classmethod
    def from_revision(cls, revision, publication_id):
        records = revision.version_set.values_list("serialized_data", flat=True)
        return cls.from_serialized(list(records), publication_id)

    @classmethod
    def live(cls, publication):
        return cls.from_serialized(capture(publication), publication.pk)

    def value(self, name):
        if name in M2M_FIELDS:
            return sorted(self.m2m.get(name, []))
        model_field = Publication._meta.get_field(name)
        value = getattr(self.publication, model_field.attname)
        return getattr(value, "name", value) if name == "banner_image" else value

    def file_names(self):
        names = [row.file.name for row in self.attachments if row.file]
        if self.publication.banner_image:
            names.append(self.publication.banner_image.name)
        return names


def publication_versions(publication_id):
    """The publication's versions, newest first, each with its revision and user."""
    return (
        Version.objects.get_for_object_reference(Publication, publication_id)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


class Names:
    """Names of the people, institutions, terms and publications two snapshots refer to,
    fetched in one query per kind; what is gone is named from its last revision."""

    def __init__(self, *snapshots):
        wanted = {model: set() for model in (Person, Institution, Publication, *TERMS)}
        for snapshot in snapshots:
            for row in snapshot.authorships:
                wanted[Person].add(row.person_id)
                if row.institution_id:
                    wanted[Institution].add(row.institution_id)
            for name, model in M2M_FIELDS.items():
                wanted[model].update(snapshot.value(name))
            for name, model in FK_FIELDS.items():
                if snapshot.value(name):
                    wanted[model].add(snapshot.value(name))
        self.found = {}
        self.missing = {}
        for model, ids in wanted.items():
            if not ids:
                self.found[model] = {}
                continue
            self.found[model] = {obj.pk: obj for obj in model.objects.filter(pk__in=ids)}
            gone = ids - set(self.found[model])
            if gone:
                self.missing[model] = _last_known_names(model, gone)

    def get(self, model, pk):
        if pk is None:
            return None
        return self.found[model].get(pk)

    def label(self, model, pk):
        if pk is None:
            return ""
        obj = self.get(model, pk)
        if obj is not None:
            return str(obj)
        name = self.missing.get(model, {}).get(pk)
        return _("%(name)s (deleted)") % {"name": name or f"#{pk}"}

    def missing_name(self, model, pk):
        return self.missing.get(model, {}).get(pk) or f"#{pk}"

    def missing_in(self, snapshot):
        """What ``snapshot`` refers to that no longer exists, as sentences for an editor."""
        problems = []

        def gone(model, pk):
            return pk is not None and self.get(model, pk) is None

        for row in snapshot.authorships:
            if gone(Person, row.person_id):
                problems.append(
                    _("The author %(name)s has been deleted since.")
                    % {"name": self.missing_name(Person, row.person_id)}
                )
            if gone(Institution, row.institution_id):
                problems.append(
                    _("The institution %(name)s has been deleted since.")
                    % {"name": self.missing_name(Institution, row.institution_id)}
                )
        for name, model in [*M2M_FIELDS.items(), *FK_FIELDS.items()]:
            value = snapshot.value(name)
            for pk in value if isinstance(value, list) else [value]:
                if gone(model, pk):
                    problems.append(
                        _("The %(kind)s %(name)s has been deleted since.")
                        % {"kind": model._meta.verbose_name, "name": self.missing_name(model, pk)}
                    )
        return problems


def _last_known_names(model, ids):
    versions = Version.objects.get_for_model(model).filter(object_id__in=[str(pk) for pk in ids])
    names = {}
    for object_id, repr_ in versions.order_by("pk").values_list("object_id", "object_repr"):
        names[int(object_id)] = repr_
    return names


@dataclass
class Row:
    label: str
    old: str
    new: str
    changed: bool


WORD = re.compile(r"\s+|[^\s]+")


def text_diff(old, new):
    """Two texts with what was removed marked ``<del>`` and what was added ``<ins>``."""
    a, b = WORD.findall(old or ""), WORD.findall(new or "")
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        removed, added = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(removed)
            right.append(added)
            continue
        if removed:
            left.append(f"<del>{removed}</del>")
        if added:
            right.append(f"<ins>{added}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - escaped above


def _display(snapshot, name, names):
    model_field = Publication._meta.get_field(name)
    value = snapshot.value(name)
    if name in M2M_FIELDS:
        labels = sorted(names.label(M2M_FIELDS[name], pk) for pk in value)
        return ", ".join(labels) or "—"
    if name in FK_FIELDS:
        return names.label(FK_FIELDS[name], value) or "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value)) if value else "—"
    if name == "banner_image":
        return PurePosixPath(value).name if value else "—"
    if name == "featured":
        return _("yes") if value else _("no")
    if name == "published_at":
        if not value:
            return "—"
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if value in (None, ""):
        return "—"
    return str(value)


def _author_lines(snapshot, names):
    lines = []
    for row in snapshot.authorships:
        line = names.label(Person, row.person_id)
        if row.institution_id:
            line += f" ({names.label(Institution, row.institution_id)})"
        if row.byline_position:
            line += f" — {row.byline_position}"
        lines.append(line)
    return lines


def _attachment_lines(snapshot):
    return [
        f"{row.title} — {PurePosixPath(row.file.name).name} "
        f"({row.language}, {filesizeformat(row.size_bytes)})"
        for row in snapshot.attachments
    ]


def _ordered_list(lines):
    if not lines:
        return "—"
    return format_html("<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((x,) for x in lines)))


def compare(old, new):
    """Rows of (label, old, new, changed) for every field of two snapshots, authors in their
    byline order and attachments with their files; changed words in texts are marked."""
    names = Names(old, new)
    rows = []
    for name in COMPARED_FIELDS:
        label = capfirst(Publication._meta.get_field(name).verbose_name)
        if name in ("title", "subtitle", "summary", "body", "banner_alt", "banner_caption"):
            before, after = old.value(name) or "", new.value(name) or ""
            if name == "body":
                before, after = strip_tags(before), strip_tags(after)
            changed = before != after
            if changed:
                left, right = text_diff(before, after)
            else:
                left = right = escape(before) or "—"
            rows.append(Row(label, left or "—", right or "—", changed))
            continue
        left, right = _display(old, name, names), _display(new, name, names)
        rows.append(Row(label, escape(left), escape(right), old.value(name) != new.value(name)))
    old_authors, new_authors = _author_lines(old, names), _author_lines(new, names)
    rows.append(
        Row(
            _("Authors, in byline order"),
            _ordered_list(old_authors),
            _ordered_list(new_authors),
            old_authors != new_authors,
        )
    )
    old_files, new_files = _attachment_lines(old), _attachment_lines(new)
    rows.append(
        Row(
            _("Attachments"),
            _ordered_list(old_files),
            _ordered_list(new_files),
            old_files != new_files,
        )
    )
    return rows


def desk_comment(action, **params):
    """A revision comment for what the desk did, stored as data so that it reads in the
    language of whoever looks at the history later (as Django's own change messages do)."""
    return json.dumps([{"desk": action, **{k: v for k, v in params.items() if v}}])


def describe(revision):
    """A revision's comment in the current language."""
    try:
        data = json.loads(revision.comment)
        entry = data[0] if isinstance(data, list) and data else {}
        action = entry.get("desk") if isinstance(entry, dict) else None
    except ValueError:
        action = None
    if action is None:
        return revision.get_comment()
    comment = entry.get("comment", "")
    if action == "restored":
        when = dt.datetime.fromisoformat(entry["date"])
        date = formats.date_format(timezone.localtime(when), "DATETIME_FORMAT")
        text = _("Restored the revision of %(date)s") % {"date": date}
    elif action == "approved":
        text = _("Approved the changes proposed by %(user)s") % {"user": entry.get("user", "—")}
    elif action == "published":
        text = _("Approved and published")
    elif action == "sent-back":
        text = _("Sent back")
    elif action == "bulk-published":
        text = _("Published from the list")
    elif action == "bulk-unpublished":
        text = _("Unpublished from the list")
    else:
        text = action
    return f"{text}: {comment}" if comment else text
