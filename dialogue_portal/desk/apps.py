from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """Revisions of every editorial save, and review before publishing."""

    name = "dialogue_portal.desk"
    label = "desk"
    verbose_name = _("Editors' desk")
