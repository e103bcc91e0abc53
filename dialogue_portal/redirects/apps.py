from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RedirectsConfig(AppConfig):
    """Old addresses keep working: a changed slug leaves a permanent redirect behind, a
    deleted object a “410 Gone”, and editors manage redirects from an old site too."""

    name = "dialogue_portal.redirects"
    label = "redirects"
    verbose_name = _("Redirects")
