"""Reads to the read replicas, writes and migrations to the primary.

settings.DATABASE_REPLICAS names the replica aliases (replica_1, ... from
DATABASE_REPLICA_URLS). A read inside a transaction on the primary stays on the primary,
so a write followed by a read in the same atomic block sees its own write. Other reads go
where ``replication.read_alias()`` sends this request: a replica that has replayed the
current content version, unless the client has just written (then the primary).
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

from dialogue_portal.core.replication import read_alias


class PrimaryReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: object) -> str:
        replicas = settings.DATABASE_REPLICAS
        if not replicas or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return read_alias()

    def db_for_write(self, model: type[Model], **hints: object) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: object) -> bool:
        # Every alias holds the same data: the replicas copy the primary.
        return True

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: object
    ) -> bool:
        return db == DEFAULT_DB_ALIAS
