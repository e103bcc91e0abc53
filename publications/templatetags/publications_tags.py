from django import template
from django.core.cache import cache

from publications.models import Audience

register = template.Library()

AUDIENCES_CACHE_KEY = "audiences:v1"


@register.simple_tag
def get_audiences():
    """The footer's audience sections; they change rarely, so they are cached for a while."""
    return cache.get_or_set(AUDIENCES_CACHE_KEY, lambda: list(Audience.objects.all()), 300)


@register.filter
def stars_label(average):
    return f"{average:.1f}".rstrip("0").rstrip(".") if average is not None else ""
