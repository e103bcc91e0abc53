from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Content for trying the portal and measuring it (``load_demo``, ``generate_content``):
    it builds on every app."""

    name = "dialogue_portal.demo"
    label = "demo"
    verbose_name = _("Demo content")
