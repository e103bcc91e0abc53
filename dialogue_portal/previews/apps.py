from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreviewsConfig(AppConfig):
    """Preview links: a draft, a scheduled publication or a proposal shown to people
    without accounts, by a signed address that expires and can be revoked."""

    name = "dialogue_portal.previews"
    label = "previews"
    verbose_name = _("Preview links")
