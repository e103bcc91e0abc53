from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail: who signed in, changed rights, exported, erased, published."""

    name = "dialogue_portal.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        # Sign-ins, lockouts and account changes reach the trail through Django's and
        # django-axes' signals (the apps' own actions call services.record themselves).
        # Django's way of connecting receivers: their module imports models, which can
        # only be imported once the registry is ready, i.e. here.
        import_module(f"{self.name}.receivers")
