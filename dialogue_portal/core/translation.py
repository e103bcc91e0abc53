"""Content in two languages with plain fields: ``name`` holds the main (English or
original) text and ``name_ru`` the Russian one. ``Translated("name")`` reads the
field for the active language and falls back to the other when it is empty.

Plain fields rather than a translation package: two languages, a handful of
fields, no query rewriting, and the admin shows both side by side.
"""

from typing import Protocol, Self, overload

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# A message as forms take it: a string, or a lazy translation of one.
type Message = str | Promise


def active_language() -> str:
    return (get_language() or "en").split("-")[0]


class Translated:
    def __init__(self, field: str) -> None:
        self.field = field

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Self: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> str: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> "Self | str":
        if instance is None:
            return self
        main = getattr(instance, self.field)
        if active_language() == "ru":
            return getattr(instance, f"{self.field}_ru", "") or main
        return main or getattr(instance, f"{self.field}_ru", "")


class LanguageVersion(Protocol):
    """A row that may be another language's version of an original (a publication, a page)."""

    @property
    def pk(self) -> object: ...
    @property
    def language(self) -> str: ...
    @property
    def translation_of_id(self) -> int | None: ...
    @property
    def translation_of(self) -> "LanguageVersion | None": ...


def version_link_errors(
    version: LanguageVersion, *, itself: Message, chained: Message
) -> dict[str, Message]:
    """Form errors of a language version's link to its original (publications and pages
    alike): not itself, the original and not another translation, in another language.
    ``itself`` and ``chained`` are the messages, worded for the kind of content."""
    original = version.translation_of
    if original is None:
        return {}
    if original.pk == version.pk:
        return {"translation_of": itself}
    if original.translation_of_id is not None:
        return {"translation_of": chained}
    if original.language == version.language:
        return {"language": _("A translation must be in another language than its original.")}
    return {}
