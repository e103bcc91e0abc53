from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo content (``python manage.py load_demo``): it builds on every app."""

    name = "dialogue_portal.demo"
    label = "demo"
    verbose_name = _("Demo content")
