from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _

from dialogue_portal.core.textsearch import register_sqlite_functions
from publications import checks  # noqa: F401  (registers the search index check)
from publications.fulltext import forget_search_text


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = _("Publications")

    def ready(self):
        # Search on SQLite: its SQL function on every connection, and a deleted
        # publication's row of the FTS5 index deleted with it (publications.fulltext).
        # Infrastructure, not domain logic: they keep what SQLite finds in step.
        connection_created.connect(register_sqlite_functions, dispatch_uid="textsearch")
        post_delete.connect(
            forget_search_text, sender="publications.Publication", dispatch_uid="search_text"
        )
