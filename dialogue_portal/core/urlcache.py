"""``reverse()`` for the slug URLs that every page prints dozens of times.

A publication page links its authors, institutions, topics and related work; each link
is a ``get_absolute_url()``, and Django's ``reverse()`` walks the resolver's patterns
every time. ``reverse_slug`` reverses a view once per language and URL configuration
with a placeholder for the slug, then fills the slug in. Only plain ASCII slugs take
the short way (they need no quoting); anything else goes through ``reverse()``.
"""

import re

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

PLACEHOLDER = "0slug0placeholder0"
PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# (view name, language, script prefix, URL configuration) -> the URL with PLACEHOLDER as slug.
_patterns: dict[tuple[str, str | None, str, str | None], str] = {}


def reverse_slug(viewname: str, slug: str) -> str:
    if not PLAIN_SLUG.fullmatch(slug):
        return reverse(viewname, kwargs={"slug": slug})
    key = (viewname, get_language(), get_script_prefix(), get_urlconf())
    pattern = _patterns.get(key)
    if pattern is None:
        pattern = _patterns[key] = reverse(viewname, kwargs={"slug": PLACEHOLDER})
    return pattern.replace(PLACEHOLDER, slug, 1)


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: object) -> None:
    if setting in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "FORCE_SCRIPT_NAME"):
        _patterns.clear()
