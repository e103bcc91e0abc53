from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OaiConfig(AppConfig):
    name = "dialogue_portal.oai"
    label = "oai"
    verbose_name = _("OAI-PMH")
    default_auto_field = "django.db.models.BigAutoField"
    # The change hooks are connected where the admin loads (see admin.py).
