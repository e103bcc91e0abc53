"""Polls on pages that belong to other apps: a publication page shows the poll featured
there without its view knowing of polls (polls build on publications, not the reverse)."""

from django import template

from polls.models import Poll

register = template.Library()


@register.simple_tag
def featured_poll(placement):
    """The poll featured on ``placement`` ("home", "publications") with its answers, in one
    query; None when there is none."""
    return Poll.objects.featured(placement)
