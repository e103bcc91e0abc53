"""Every write of redirects happens here, each followed (after the commit) by a new
content version, so cached pages and the sitemap follow at once.

- ``object_saved``: after an editorial save: the old addresses of what moved redirect to
  the new ones, chains collapse (a → b → c becomes a → c), and addresses the object now
  holds stop redirecting (the live page wins), which the caller tells the editor.
- ``object_deleted``: its addresses, and the redirects that led to them, answer 410.
- ``save_redirect`` and ``import_redirects``: what editors set by hand, by CSV or archive.
"""

from dataclasses import dataclass
from typing import Final, Literal, NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from dialogue_portal.core.freshness import content_changed
from dialogue_portal.redirects.addresses import Address, Tracked, addresses_of
from dialogue_portal.redirects.models import Redirect
from dialogue_portal.redirects.paths import (
    MAX_LENGTH,
    is_url,
    normalize_path,
    normalize_target,
    target_key,
)

# What an import did to each row's redirect.
type Action = Literal["created", "updated", "unchanged"]
CREATED: Final = "created"
UPDATED: Final = "updated"
UNCHANGED: Final = "unchanged"


def rebase(target: str, rest: str) -> str:
    """``target`` with ``rest`` (what followed the old address: "/cite.bib") added."""
    if not rest or rest == "/":
        return target
    path, mark, query = target.partition("?")
    return path.rstrip("/") + rest + (mark + query if mark else "")


def _follow_move(old: Address, new_target: str) -> None:
    """Redirects that led to ``old`` (or below it) lead to ``new_target`` now."""
    for row in Redirect.objects.pointing_to(old.path, below=old.below):
        row.target = rebase(new_target, row.target[len(old.path) :].partition("?")[0])
        row.save(update_fields=["target", "updated_at"])


def _moved(old: Address, new: Address) -> None:
    _follow_move(old, new.target)
    Redirect.objects.update_or_create(
        old_path=old.path,
        defaults={
            "target": new.target,
            "status": Redirect.Status.MOVED,
            "include_below": old.below,
            "source": Redirect.Source.SLUG,
        },
    )


def _gone(old: Address) -> None:
    Redirect.objects.pointing_to(old.path, below=old.below).update(
        target="", status=Redirect.Status.GONE
    )
    Redirect.objects.update_or_create(
        old_path=old.path,
        defaults={
            "target": "",
            "status": Redirect.Status.GONE,
            "include_below": old.below,
            "source": Redirect.Source.DELETED,
        },
    )


def _take_over(addresses: list[Address]) -> list[Redirect]:
    """Remove the redirects at ``addresses`` (the live page wins); those that were not
    the object's own way back (a → b, then b → a) are returned for the editor."""
    rows = list(Redirect.objects.filter(old_path__in=[a.path for a in addresses]))
    if rows:
        Redirect.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return [row for row in rows if target_key(row.target) != row.old_path]


@transaction.atomic
def object_saved(*, obj: Tracked, before: list[Address]) -> list[Redirect]:
    """Record that ``obj`` (saved) had the addresses ``before``; returns the redirects and
    “gone” addresses its addresses took over from other content or from editors."""
    after = addresses_of(obj)
    by_name = {address.name: address for address in after}
    changed = False
    for old in before:
        new = by_name.get(old.name) or (after[0] if after else None)
        if new is not None and new.path == old.path:
            continue
        _moved(old, new) if new is not None else _gone(old)
        changed = True
    taken = _take_over(after)
    if changed or taken:
        content_changed()  # bulk writes send no post_save
    return taken


@transaction.atomic
def object_deleted(*, addresses: list[Address]) -> None:
    """The deleted object's addresses answer 410, and so do the redirects to them, until
    an editor sets a redirect there."""
    for address in addresses:
        _gone(address)
    if addresses:
        content_changed()  # bulk writes send no post_save


# --- what editors set ------------------------------------------------------------------


@dataclass
class Row:
    old_path: str
    target: str
    status: int
    include_below: bool = False
    note: str = ""
    source: str = Redirect.Source.MANUAL
    line: int = 0


_url = URLValidator(schemes=["http", "https"])


def _printable(value: str) -> bool:
    return value.isprintable() and not any(char.isspace() for char in value)


class Cleaned(NamedTuple):
    """A redirect's fields in their stored forms."""

    old_path: str  # paths.normalize_path
    target: str  # paths.normalize_target; "" for 410
    status: int  # a Redirect.Status


def clean_row(old_path: str | None, target: str | None, status: int | str | None) -> Cleaned:
    """(address, target, status) in their stored forms, or ValidationError naming every
    problem in words an editor can act on. The values are what a form, a CSV cell or an
    archive's JSON held: ``status`` a number, its text, empty or missing (anything else
    is refused as an answer that is not 301, 302 or 410)."""
    errors = []
    old_path = (old_path or "").strip()
    target = (target or "").strip()
    if status is None or status == "":
        status = Redirect.Status.MOVED if target else Redirect.Status.GONE
    answer: int | None
    try:
        answer = int(status)
    except (TypeError, ValueError):
        answer = None
    if answer not in Redirect.Status.values:
        errors.append(_("The answer must be 301, 302 or 410."))
    key = ""
    if not old_path:
        errors.append(_("The old address is missing."))
    elif not _printable(old_path):
        errors.append(_("The old address holds spaces or control characters."))
    elif is_url(old_path) and not old_path.lower().startswith(("http://", "https://")):
        errors.append(_("The old address must be a path or an http(s) address."))
    else:
        key = normalize_path(old_path)
        if len(key) > MAX_LENGTH:
            errors.append(
                _("The old address is longer than %(max)s characters.") % {"max": MAX_LENGTH}
            )
    if answer == Redirect.Status.GONE:
        if target:
            errors.append(_("A “410 gone” answer has no new address."))
        target = ""
    elif answer is not None:
        if not target:
            errors.append(_("The new address is missing."))
        elif not _printable(target):
            errors.append(_("The new address holds spaces or control characters."))
        elif is_url(target):
            try:
                _url(target)
            except ValidationError:
                errors.append(_("The new address is not a valid http(s) address."))
        elif not target.startswith("/"):
            errors.append(_("A new address on this site starts with “/”."))
        if target and len(target) > 1000:
            errors.append(_("The new address is longer than 1000 characters."))
        if not errors:
            target = normalize_target(target)
            if key and target_key(target) == key:
                errors.append(_("The new address is the old one: it would loop."))
    if errors or answer is None:  # an unreadable answer is among the errors
        raise ValidationError(errors)
    return Cleaned(key, target, answer)


def resolve_target(key: str, target: str, exclude_pk: int | None = None) -> str:
    """The target, past a redirect standing at it (a → b where b → c gives a → c)."""
    if not target or is_url(target):
        return target
    hop = (
        Redirect.objects.filter(old_path=target_key(target), status__in=[301, 302])
        # A new redirect has no pk: pk=None (IS NULL) excludes nothing, which the stubs
        # do not allow for.
        .exclude(pk=exclude_pk)  # type: ignore[misc]
        .first()
    )
    if hop is None:
        return target
    if target_key(hop.target) == key:
        raise ValidationError(
            _("%(target)s already redirects to %(path)s: this would loop.")
            % {"target": target, "path": hop.target}
        )
    return hop.target


@transaction.atomic
def save_redirect(*, redirect: Redirect) -> Redirect:
    """Save what an editor set (``redirect`` with cleaned fields): its target past any
    redirect standing there, and redirects that led to its address now lead on."""
    redirect.target = resolve_target(redirect.old_path, redirect.target, redirect.pk)
    redirect.full_clean()
    redirect.save()
    if not redirect.is_gone:
        old = Address("", redirect.old_path, redirect.target, redirect.include_below)
        for row in Redirect.objects.pointing_to(old.path, below=old.below).exclude(pk=redirect.pk):
            row.target = rebase(redirect.target, row.target[len(old.path) :].partition("?")[0])
            if target_key(row.target) == row.old_path:
                row.delete()
            else:
                row.save(update_fields=["target", "updated_at"])
    content_changed()  # bulk writes send no post_save
    return redirect


@transaction.atomic
def delete_redirects(*, queryset: QuerySet[Redirect]) -> None:
    queryset.delete()
    content_changed()  # bulk writes send no post_save


def import_redirects(rows: list[Row]) -> list[tuple[Row, Action]]:
    """Create or update a redirect per row (already cleaned, one per address); returns
    each row with what became of it. Run inside a transaction the caller rolls back for a
    dry run."""
    outcomes: list[tuple[Row, Action]] = []
    existing = Redirect.objects.in_bulk([row.old_path for row in rows], field_name="old_path")
    for row in rows:
        found = existing.get(row.old_path)
        redirect = found or Redirect(old_path=row.old_path)
        values = {
            "target": row.target,
            "status": row.status,
            "include_below": row.include_below,
            "note": row.note,
            "source": row.source,
        }
        if found is not None and all(getattr(found, k) == v for k, v in values.items()):
            outcomes.append((row, UNCHANGED))
            continue
        for name, value in values.items():
            setattr(redirect, name, value)
        save_redirect(redirect=redirect)
        outcomes.append((row, UPDATED if found is not None else CREATED))
    return outcomes


ACTION_LABELS = {
    CREATED: _lazy("created"),
    UPDATED: _lazy("updated"),
    UNCHANGED: _lazy("unchanged"),
}
