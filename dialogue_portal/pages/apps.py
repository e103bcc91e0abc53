from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """Pages editors write outside publications: About, Support our research, Contact and
    an introduction for each audience, each in English and Russian."""

    name = "dialogue_portal.pages"
    label = "pages"
    verbose_name = _("Pages")
