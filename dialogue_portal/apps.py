from django.apps import AppConfig

from dialogue_portal.core import freshness


class DialoguePortalConfig(AppConfig):
    """The site itself: settings, site-wide pages and the infrastructure every app uses."""

    name = "dialogue_portal"

    def ready(self) -> None:
        # Cached pages move on after every editorial commit (see freshness).
        freshness.connect()
