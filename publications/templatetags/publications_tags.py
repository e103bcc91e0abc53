from django import template

from publications.taxonomy import get_taxonomy

register = template.Library()


@register.simple_tag
def get_audiences():
    """The footer's audience sections, from the cached term lists."""
    return get_taxonomy().terms["audience"]


@register.filter
def stars_label(average):
    return f"{average:.1f}".rstrip("0").rstrip(".") if average is not None else ""
