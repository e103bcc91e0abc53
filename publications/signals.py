"""Signals publications send for apps that build on them (they may not be imported here)."""

from django.dispatch import Signal

# Sent with ``ids`` (publication pks) after a bulk QuerySet.update() of publications, which
# sends no post_save: e.g. the admin's publish and unpublish actions.
publications_changed = Signal()
