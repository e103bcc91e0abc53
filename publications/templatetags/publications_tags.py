from django import template
from django.utils.html import format_html_join

from dialogue_portal.core import pagecache
from publications import cards
from publications.taxonomy import get_taxonomy

register = template.Library()


@register.simple_tag
def get_audiences():
    """The footer's audience sections, from the cached term lists."""
    return get_taxonomy().terms["audience"]


@register.filter
def stars_label(average):
    return f"{average:.1f}".rstrip("0").rstrip(".") if average is not None else ""


@register.simple_tag(takes_context=True)
def publication_cards(context, publications, **variant):
    """``{% publication_cards publications wide=True %}``: every card, from the cache
    where it was rendered before (publications.cards)."""
    return format_html_join(
        "", "{}", ((card,) for card in cards.render_cards(context, publications, **variant))
    )


@register.simple_tag
def totals(kind, obj):
    """``{% totals "rating" publication %}``: totals that readers' votes change, as a
    hole that a cached page fills from a fragment at most PAGE_TOTALS_SECONDS old
    (dialogue_portal.core.pagecache)."""
    return pagecache.totals_fragment(kind, obj)
