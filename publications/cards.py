"""Publication cards, rendered once and shared by every page that lists them.

The same card appears on the home page, the publication list in all its filters and
sorts, search results, author, institution and topic pages. Rendering twenty cards
with the template engine is most of a list page's time, so each rendered card is kept
in the cache under its publication, language and variant, stamped with the content
version (every editorial change moves it on, see ``dialogue_portal.core.pagecache``). A
page reads all its cards and the version in one round trip and renders only the
missing ones; their authors are fetched then, in one query, and not before.

A card shows nothing that depends on the reader, the clock or the ratings, so it can
be shared by every reader in a language.
"""

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from dialogue_portal.core.pagecache import VERSION_KEY, version_from
from publications.models import authors_prefetch

TEMPLATE = "includes/card.html"
CARD_SECONDS = 3600
VARIANTS = ("wide", "compact", "show_image")


def render_cards(context, publications, **variant):
    """The cards of ``publications`` as HTML, in order (``variant``: wide, compact,
    show_image, as the card template takes them)."""

    publications = list(publications)
    if not publications:
        return []
    unknown = set(variant) - set(VARIANTS)
    if unknown:
        raise TypeError(f"unknown card variant {sorted(unknown)}")
    flags = "".join("1" if variant.get(name) else "0" for name in VARIANTS)
    language = get_language()
    keys = [f"card:{language}:{flags}:{publication.pk}" for publication in publications]
    found = cache.get_many([VERSION_KEY, *keys])
    version = version_from(found)
    cards = {}
    for key in keys:
        stamped = found.get(key)
        if stamped is not None and stamped[0] == version:
            cards[key] = stamped[1]
    missing = {key: p for p, key in zip(publications, keys, strict=True) if key not in cards}
    if missing:
        if not variant.get("compact"):  # a compact card names no authors
            prefetch_related_objects(list(missing.values()), authors_prefetch())
        template = context.template.engine.get_template(TEMPLATE)
        for key, publication in missing.items():
            with context.push(publication=publication, **variant):
                cards[key] = template.render(context)
        cache.set_many({key: (version, cards[key]) for key in missing}, CARD_SECONDS)
    # Each card came from the template engine, which escaped what it printed; the cache
    # holds only what this function put there.
    return [mark_safe(cards[key]) for key in keys]  # noqa: S308
