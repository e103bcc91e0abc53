"""Polls on pages that belong to other apps: a publication page shows the poll featured
there without its view knowing of polls (polls build on publications, not the reverse)."""

from django import template

from polls import services

register = template.Library()


@register.simple_tag
def featured_poll(placement):
    """The poll featured on ``placement`` ("home", "publications") with its answers, in one
    query shared for a few seconds; None when there is none."""
    return services.featured_poll(placement)
