"""No silent overwrite: a change form remembers the state it was loaded from.

Every change form of content carries, in a hidden field, the state of the object as that
form shows it - each field of the form and each row of its inlines, normalised - signed so
it cannot be forged. When the form comes back, the admin reads the object again, inside the
transaction that saves it and with its row locked, and builds the same state from it. If
the two differ, someone saved (or proposed) since the form was loaded: nothing is saved,
and the form comes back with the editor's values in it and, above it, each field (and each
inline, row by row) as the editor has it against as it is saved now, with a choice per
field: keep mine or keep theirs. The re-rendered form carries the state saved now, so the
choices are saved only if nothing moved again; a third save in between is a new conflict.

A POST without the hidden field (a script, a page from before the check) is not saved
either: nobody can tell what it was loaded from, so it gets the same page, with no choice
made for the editor. django-reversion's revert and recover pages carry the state of the
object as saved when the page was loaded (``DELETED`` for a deleted one) and check it the
same way before they revert anything (``dialogue_portal.desk.admin.HistoryAdmin``).

The state is what the form would write, so counts readers change (views, votes) and fields
the form does not hold never make a conflict, and it works for every model alike, with or
without ``updated_at`` or a history.
"""

import datetime as dt
import decimal
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django import forms
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import router, transaction
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.db.models.query import QuerySet
from django.template.defaultfilters import capfirst
from django.template.loader import select_template
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import escape, format_html, strip_tags
from django.utils.translation import gettext as _

from dialogue_portal.desk import presence
from dialogue_portal.desk.history import text_diff

LOADED = "_desk_loaded"  # the hidden field: the signed state the form was loaded from
KEEP = "_desk_keep_"  # + a field name, or "inline-" + an inline's prefix: "mine" or "theirs"
MINE, THEIRS = "mine", "theirs"
SALT = "dialogue_portal.desk.conflicts"
INLINE = "inline-"
ROW_SKIP = {"DELETE", "ORDER"}
DELETED = {"deleted": True}  # the state a recover page was loaded from: no object


# The state of a form ----------------------------------------------------------------------


def normalize(form_field, value):
    """A value of ``form_field`` (as the database holds it, or as the editor typed it) in a
    form two of them compare equal in when they save the same thing."""
    if isinstance(form_field, forms.FileField):
        if isinstance(value, UploadedFile):
            return "upload:" + value.name
        return getattr(value, "name", None) or ""
    if isinstance(form_field, forms.BooleanField) and not isinstance(
        form_field, forms.NullBooleanField
    ):
        return bool(value)
    return _plain(value)


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (int, float, decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, (list, tuple, set, frozenset, QuerySet)):
        return sorted(_plain(item) for item in value)
    return str(value)


def _stored_value(form, name):
    return normalize(form.fields[name], form[name].initial)


def _typed_value(form, name):
    """What the editor's bound form holds for ``name``: cleaned when it cleaned, else raw."""
    cleaned = getattr(form, "cleaned_data", None) or {}
    if name in cleaned:
        return normalize(form.fields[name], cleaned[name])
    return normalize(form.fields[name], form[name].value())


def _row_fields(formset, form):
    skip = {formset.model._meta.pk.name, *ROW_SKIP}
    if getattr(formset, "fk", None) is not None:
        skip.add(formset.fk.name)
    return [name for name in form.fields if name not in skip]


def stored_rows(formset):
    """The inline's rows as saved: [[pk, {field: value}], ...] by pk."""
    rows = [
        [str(form.instance.pk), {n: _stored_value(form, n) for n in _row_fields(formset, form)}]
        for form in formset.initial_forms
    ]
    return sorted(rows, key=lambda row: _pk_key(row[0]))


def typed_rows(formset):
    """The inline's rows as the editor's form would save them: deleted rows left out, empty
    extra rows left out, new rows with an empty pk."""
    rows = []
    for form in formset.forms:
        if "DELETE" in form.fields and form["DELETE"].value():
            continue
        pk = form.instance.pk if form in formset.initial_forms else None
        if pk is None and not form.has_changed():
            continue
        values = {n: _typed_value(form, n) for n in _row_fields(formset, form)}
        rows.append([str(pk) if pk is not None else "", values])
    return sorted(rows, key=lambda row: (row[0] == "", _pk_key(row[0])))


def _pk_key(pk):
    return (0, int(pk), "") if str(pk).isdigit() else (1, 0, str(pk))


def state(form, formsets, *, typed=False):
    """The form's fields and its inlines' rows: as stored (an unbound form built on the
    object) or, ``typed``, as the editor's bound form holds them."""
    value = _typed_value if typed else _stored_value
    return {
        "fields": {name: value(form, name) for name in form.fields},
        "inlines": {
            formset.prefix: (typed_rows if typed else stored_rows)(formset) for formset in formsets
        },
    }


def dumps(obj, current):
    return signing.dumps(
        {"model": obj._meta.label_lower, "pk": str(obj.pk), "state": current},
        salt=SALT,
        compress=True,
    )


def loads(obj, token):
    """The state a form was loaded from (``DELETED`` for a recover page), or None when the
    token is not one of ours for this object (forged, cut short, or another object's)."""
    try:
        data = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("model") != obj._meta.label_lower:
        return None
    if data.get("pk") != str(obj.pk) or not isinstance(data.get("state"), dict):
        return None
    return data["state"]


# What the editor sees -----------------------------------------------------------------------


@dataclass
class FieldChoice:
    """One field, or one inline, as the editor has it against as it is saved now."""

    key: str  # the radio's name after KEEP
    label: str
    mine: str  # HTML, escaped
    theirs: str  # HTML, escaped
    changed_by: str  # "them", "me" or "both" (since the form was loaded)
    keep: str  # the choice to show selected
    rows: list = field(default_factory=list)  # an inline's rows: (label, field, mine, theirs)

    @property
    def both(self):
        return self.changed_by == "both"


def _who_changed(base, mine, theirs):
    if base is None:
        return "both"
    if mine == base:
        return "them"
    if theirs == base:
        return "me"
    return "both"


def _default(changed_by, posted):
    if posted in (MINE, THEIRS):
        return posted
    return THEIRS if changed_by == "them" else MINE


def _display(form_field, value):
    """A normalised value as an editor reads it (escaped)."""
    if value in ("", [], None):
        return "—"
    if isinstance(form_field, (forms.ModelChoiceField, forms.ModelMultipleChoiceField)):
        ids = value if isinstance(value, list) else [value]
        found = {str(obj.pk): str(obj) for obj in form_field.queryset.filter(pk__in=ids)}
        return ", ".join(sorted(found.get(pk, f"#{pk}") for pk in ids))
    if isinstance(form_field, forms.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(form_field, forms.ChoiceField):
        labels = {str(k): str(v) for k, v in _flat_choices(form_field.choices)}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    if isinstance(form_field, forms.FileField):
        return value.removeprefix("upload:").rsplit("/", 1)[-1]
    if isinstance(form_field, (forms.DateTimeField, forms.SplitDateTimeField)):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            return str(value)
        if timezone.is_aware(when):
            when = timezone.localtime(when)
        return formats.date_format(when, "DATETIME_FORMAT")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _flat_choices(choices):
    for key, label in choices:
        if isinstance(label, (list, tuple)):
            yield from _flat_choices(label)
        else:
            yield key, label


def _pair(form_field, mine, theirs):
    """Both values as HTML, words that differ marked in texts."""
    if isinstance(form_field, forms.CharField) and isinstance(mine, str) and mine != theirs:
        left, right = text_diff(strip_tags(theirs), strip_tags(mine))
        return right or "—", left or "—"
    return escape(_display(form_field, mine)), escape(_display(form_field, theirs))


def field_choices(form, formsets, inline_labels, base, theirs, posted):
    """What differs between the editor's form and the object as saved now."""
    mine = state(form, formsets, typed=True)
    base_fields = (base or {}).get("fields", {})
    choices = []
    for name, form_field in form.fields.items():
        if name not in theirs["fields"]:
            continue
        my_value, their_value = mine["fields"][name], theirs["fields"][name]
        if my_value == their_value:
            continue
        changed_by = _who_changed(base_fields.get(name) if base else None, my_value, their_value)
        left, right = _pair(form_field, my_value, their_value)
        choices.append(
            FieldChoice(
                key=name,
                label=capfirst(str(form_field.label or name)),
                mine=left,
                theirs=right,
                changed_by=changed_by,
                keep=_default(changed_by, posted.get(KEEP + name)),
            )
        )
    base_inlines = (base or {}).get("inlines", {})
    for formset in formsets:
        prefix = formset.prefix
        my_rows, their_rows = mine["inlines"][prefix], theirs["inlines"].get(prefix, [])
        if my_rows == their_rows:
            continue
        changed_by = _who_changed(base_inlines.get(prefix) if base else None, my_rows, their_rows)
        key = INLINE + prefix
        choices.append(
            FieldChoice(
                key=key,
                label=capfirst(str(inline_labels.get(prefix, prefix))),
                mine="",
                theirs="",
                changed_by=changed_by,
                keep=_default(changed_by, posted.get(KEEP + key)),
                rows=_inline_rows(formset, my_rows, their_rows),
            )
        )
    return choices


def _inline_rows(formset, my_rows, their_rows):
    """Row by row, field by field, what differs: (row, field, mine, theirs) in HTML."""
    empty = formset.empty_form
    fields = _row_fields(formset, empty)
    labels = {name: capfirst(str(empty.fields[name].label or name)) for name in fields}
    mine = {pk: values for pk, values in my_rows if pk}
    theirs = dict(their_rows)
    names = {str(obj.pk): str(obj) for obj in formset.get_queryset()}
    lines = []
    for pk in sorted(set(mine) | set(theirs), key=_pk_key):
        row_label = names.get(pk) or _("Row %(id)s") % {"id": pk}
        if pk not in mine:
            lines.append((row_label, "", _("(removed)"), _("(kept)")))
            continue
        if pk not in theirs:
            lines.append((row_label, "", _("(kept)"), _("(removed)")))
            continue
        for name in fields:
            a, b = mine[pk].get(name, ""), theirs[pk].get(name, "")
            if a != b:
                left, right = _pair(empty.fields[name], a, b)
                lines.append((row_label, labels[name], left, right))
    for number, (_pk, values) in enumerate((r for r in my_rows if not r[0]), start=1):
        shown = "; ".join(
            f"{labels[n]}: {_display(empty.fields[n], v)}" for n, v in values.items() if v
        )
        lines.append((_("New row %(number)s") % {"number": number}, "", escape(shown), "—"))
    return [
        (label, name, format_html("{}", left), format_html("{}", right))
        for label, name, left, right in lines
    ]


def saved_by(obj):
    """Who saved the object last through the admin, and when (Django's own log)."""
    entry = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
        )
        .select_related("user")
        .order_by("-action_time", "-pk")
        .first()
    )
    if entry is None:
        return None
    return presence.name_of(entry.user), entry.action_time


# Keeping theirs -----------------------------------------------------------------------------


def form_keeping(form_class, *, theirs, conflict_message):
    """``form_class`` whose fields named in ``theirs`` take the saved value whatever was
    posted (Django's ``disabled``; a file is kept by ignoring the upload and its "clear"),
    and that does not validate while ``conflict_message`` is set."""

    class ConflictForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if not self.is_bound:
                return
            for name in theirs:
                form_field = self.fields.get(name)
                if form_field is None:
                    continue
                if isinstance(form_field, forms.FileField):
                    self.files = self.files.copy()
                    self.files.pop(self.add_prefix(name), None)
                    self.data = self.data.copy()
                    self.data.pop(self.add_prefix(name) + "-clear", None)
                else:
                    form_field.disabled = True

        def clean(self):
            cleaned = super().clean()
            if conflict_message:
                raise ValidationError(conflict_message, code="conflict")
            return cleaned

    ConflictForm.__name__ = form_class.__name__
    return ConflictForm


def formset_keeping(formset_class):
    """``formset_class`` that saves nothing of what was posted: its rows stay as saved."""

    class Theirs(formset_class):
        def __init__(self, data=None, files=None, *args, **kwargs):
            super().__init__(data, files, *args, **kwargs)
            if not self.is_bound:
                return
            rows = list(self.get_queryset())
            data = self.data.copy()
            for key in [k for k in data if k.startswith(self.prefix + "-")]:
                data.pop(key)
            data[f"{self.prefix}-TOTAL_FORMS"] = str(len(rows))
            data[f"{self.prefix}-INITIAL_FORMS"] = str(len(rows))
            data[f"{self.prefix}-MIN_NUM_FORMS"] = "0"
            data[f"{self.prefix}-MAX_NUM_FORMS"] = str(max(len(rows), 1000))
            for i, row in enumerate(rows):
                data[f"{self.prefix}-{i}-{self.model._meta.pk.name}"] = str(row.pk)
            self.data = data
            self.files = {}

        def _construct_form(self, i, **kwargs):
            form = super()._construct_form(i, **kwargs)
            for form_field in form.fields.values():
                form_field.disabled = True
            return form

    Theirs.__name__ = formset_class.__name__
    return Theirs


# The mixin every content admin has ----------------------------------------------------------


@dataclass
class Conflict:
    base: dict | None  # the state the editor's form was loaded from (None: unknown)
    theirs: dict  # the state saved now
    unchecked: bool = False  # the form came without the state it was loaded from


def _known(base):
    """A loaded state the comparison can start from: a form's, not a recover page's."""
    return base if base is not None and "fields" in base else None


def _refused(request):
    """Whether this request's save was refused: a conflict, or a revert page's refusal."""
    return (
        getattr(request, "_desk_conflict", None) is not None
        or getattr(request, "_desk_refusal", None) is not None
    )


class ConflictCheck:
    """In front of a content admin: the change form carries the state it was loaded from,
    a save over someone else's answers 409 with both versions and a choice per field, and
    the page says who else has the form open (``presence``)."""

    change_form_wrapper_template = "desk/change_form.html"

    # The request's check, made once per POST ------------------------------------------------

    def _stored_forms(self, request, obj):
        """Unbound form and inline formsets built on ``obj``, as the admin builds them."""
        fieldsets = self.get_fieldsets(request, obj)
        form_class = super().get_form(
            request, obj, change=True, fields=flatten_fieldsets(fieldsets)
        )
        form = form_class(instance=obj)
        formsets, prefixes = [], Counter()
        for formset_class, inline in self.get_formsets_with_inlines(request, obj):
            prefix = formset_class.get_default_prefix()
            prefixes[prefix] += 1
            if prefixes[prefix] != 1 or not prefix:
                prefix = f"{prefix}-{prefixes[prefix]}"
            formsets.append(
                formset_class(instance=obj, prefix=prefix, queryset=inline.get_queryset(request))
            )
        return form, formsets

    def _check_conflict(self, request, object_id):
        if getattr(request, "_desk_checked", False):
            return  # a revert page, checked before it reverted (HistoryAdmin)
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_change_permission(request, obj):
            return
        # The row locked until the save commits: two saves of one object check in turn,
        # each reading the object again once it holds the lock.
        list(type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values("pk"))
        obj = self.get_object(request, unquote(object_id))
        form, formsets = self._stored_forms(request, obj)
        theirs = state(form, formsets)
        request._desk_stored_state = theirs
        token = request.POST.get(LOADED)
        if token is None:
            # Not from a change form of ours (a script, a page from before the check):
            # what it was loaded from is unknown, so it saves over nothing unseen.
            request._desk_conflict = Conflict(base=None, theirs=theirs, unchecked=True)
            return
        base = loads(obj, token)
        if base != theirs:
            request._desk_conflict = Conflict(base=_known(base), theirs=theirs)
            return
        request._desk_keep_theirs = {
            key.removeprefix(KEEP)
            for key, value in request.POST.items()
            if key.startswith(KEEP) and value == THEIRS
        }

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        checking = (
            request.method == "POST" and object_id is not None and "_saveasnew" not in request.POST
        )
        if not checking:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic(using=router.db_for_write(self.model)):
            self._check_conflict(request, object_id)
            response = super().changeform_view(request, object_id, form_url, extra_context)
        if _refused(request) and response.status_code == 200:
            response.status_code = 409
        return response

    # Forms that keep theirs, or refuse while in conflict -------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        conflict = getattr(request, "_desk_conflict", None)
        theirs = getattr(request, "_desk_keep_theirs", set())
        message = getattr(request, "_desk_refusal", None)
        if conflict is None and not theirs and message is None:
            return form_class
        if conflict is not None and conflict.unchecked:
            message = _(
                "This form did not say which version it was loaded from, so saving it "
                "could undo someone else's change. Nothing was saved: check below, field by "
                "field, what to keep, then save again."
            )
        elif conflict is not None:
            message = _(
                "Someone else saved this since you opened it. Nothing was saved: choose "
                "below, field by field, what to keep, then save again."
            )
        return form_keeping(
            form_class,
            theirs={name for name in theirs if not name.startswith(INLINE)},
            conflict_message=message,
        )

    def get_formsets_with_inlines(self, request, obj=None):
        theirs = getattr(request, "_desk_keep_theirs", set())
        seen = Counter()
        for formset_class, inline in super().get_formsets_with_inlines(request, obj):
            prefix = formset_class.get_default_prefix()
            seen[prefix] += 1
            if seen[prefix] != 1 or not prefix:
                prefix = f"{prefix}-{seen[prefix]}"
            if INLINE + prefix in theirs:
                formset_class = formset_keeping(formset_class)
            yield formset_class, inline

    # The page -----------------------------------------------------------------------------

    def conflict_saved_by(self, request, obj):
        """Who made the version saved now, and when: (name, datetime) or None."""
        return saved_by(obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and obj.pk is not None:
            context.update(self._desk_context(request, context, obj))
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if change and obj is not None and obj.pk is not None:
            response.context_data["desk_base_change_form"] = select_template(
                [response.template_name]
                if isinstance(response.template_name, str)
                else response.template_name
            )
            response.template_name = self.change_form_wrapper_template
        return response

    def _desk_context(self, request, context, obj):
        form = context["adminform"].form
        inline_formsets = context.get("inline_admin_formsets", [])
        formsets = [inline.formset for inline in inline_formsets]
        stored = getattr(request, "_desk_stored_state", None)
        if stored is None:
            stored = state(form, formsets)
        extra = {
            "desk_loaded_name": LOADED,
            # A revert page carries the object as saved, not the version it shows.
            "desk_loaded": getattr(request, "_desk_loaded_token", None) or dumps(obj, stored),
            "desk_keep_prefix": KEEP,
            "desk_presence_url": reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_presence",
                args=[obj.pk],
            ),
            # Choices already made, carried through a re-render for another field's error.
            "desk_kept_theirs": sorted(getattr(request, "_desk_keep_theirs", ())),
            "desk_others": presence.describe(
                presence.others(self.opts.label_lower, obj.pk, request.user)
            ),
        }
        conflict = getattr(request, "_desk_conflict", None)
        if conflict is not None:
            labels = {
                inline.formset.prefix: inline.opts.verbose_name_plural for inline in inline_formsets
            }
            extra["desk_conflict"] = field_choices(
                form, formsets, labels, conflict.base, conflict.theirs, request.POST
            )
            extra["desk_in_conflict"] = True
            extra["desk_conflict_saved_by"] = self.conflict_saved_by(request, obj)
            extra["desk_conflict_base_known"] = conflict.base is not None
            extra["desk_conflict_unchecked"] = conflict.unchecked
        return extra

    # Who else has it open ------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/presence/",
                self.admin_site.admin_view(self.presence_view),
                name="{}_{}_presence".format(*info),
            ),
            *super().get_urls(),
        ]

    def presence_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        return presence.heartbeat(request, obj, self.has_view_or_change_permission, self.opts)
