from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from publications import checks  # noqa: F401  (registers the search index check)


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = _("Publications")
