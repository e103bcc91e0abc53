"""Content in two languages with plain fields: ``name`` holds the main (English or
original) text and ``name_ru`` the Russian one. ``Translated("name")`` reads the
field for the active language and falls back to the other when it is empty.

Plain fields rather than a translation package: two languages, a handful of
fields, no query rewriting, and the admin shows both side by side.
"""

from django.utils.translation import get_language


def active_language():
    return (get_language() or "en").split("-")[0]


class Translated:
    def __init__(self, field):
        self.field = field

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        main = getattr(instance, self.field)
        if active_language() == "ru":
            return getattr(instance, f"{self.field}_ru", "") or main
        return main or getattr(instance, f"{self.field}_ru", "")
