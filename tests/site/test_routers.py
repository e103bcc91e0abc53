"""The replica router, with a second alias (replica_1) on the same database as the primary."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from dialogue_portal.core import replication
from dialogue_portal.core.routers import PrimaryReplicaRouter
from publications.models import Publication
from tests.factories import make_publication

ROUTER = "dialogue_portal.core.routers.PrimaryReplicaRouter"


@pytest.fixture
def replica(settings, monkeypatch):
    """replica_1: the primary's own connection under another alias, as a test mirror is.
    Taken as up to date: the primary has no replay position to compare (on PostgreSQL
    ``pg_last_wal_replay_lsn()`` is NULL there); tests/site/test_replication.py tests that."""
    monkeypatch.setattr(replication, "_usable", lambda alias: True)
    connections["replica_1"] = connections[DEFAULT_DB_ALIAS]
    settings.DATABASE_REPLICAS = ["replica_1"]
    settings.DATABASE_ROUTERS = [ROUTER]
    yield "replica_1"
    del connections["replica_1"]


@pytest.fixture
def in_request():
    """What the router sees while a request is served (replicas serve requests only)."""
    request_started.send(sender=None)
    yield
    request_finished.send(sender=None)


@pytest.mark.django_db(transaction=True)
def test_reads_go_to_the_replica_and_writes_to_the_primary(replica, in_request):
    publication = make_publication(title="Routed")
    assert publication._state.db == DEFAULT_DB_ALIAS

    read = Publication.objects.get(pk=publication.pk)
    assert Publication.objects.all().db == replica
    assert read._state.db == replica
    assert read.title == "Routed"

    read.title = "Routed again"
    read.save()  # saved through the primary, though it was read from the replica
    assert Publication.objects.using(DEFAULT_DB_ALIAS).get(pk=publication.pk).title == (
        "Routed again"
    )


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary(replica, in_request):
    with transaction.atomic():
        make_publication()
        assert Publication.objects.all().db == DEFAULT_DB_ALIAS


@pytest.mark.django_db(transaction=True)
def test_reads_outside_a_request_go_to_the_primary(replica):
    """Commands and the task worker: what they read is not held to the content version."""
    make_publication()
    assert Publication.objects.all().db == DEFAULT_DB_ALIAS


def test_migrations_only_on_the_primary(settings):
    settings.DATABASE_REPLICAS = ["replica_1"]
    router = PrimaryReplicaRouter()
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "publications")
    assert not router.allow_migrate("replica_1", "publications")
    assert router.db_for_write(Publication) == DEFAULT_DB_ALIAS


def test_without_replicas_everything_uses_the_primary(settings):
    settings.DATABASE_REPLICAS = []
    assert PrimaryReplicaRouter().db_for_read(Publication) == DEFAULT_DB_ALIAS


def test_replica_urls_become_aliases(monkeypatch):
    import importlib

    import dialogue_portal.settings as module

    monkeypatch.setenv(
        "DATABASE_REPLICA_URLS",
        "postgres://u@replica-a:5432/portal, postgres://u@replica-b:5432/portal",
    )
    monkeypatch.setenv("DATABASE_POOL", "1")
    fresh = importlib.reload(module)
    try:
        assert fresh.DATABASE_REPLICAS == ["replica_1", "replica_2"]
        assert fresh.DATABASES["replica_2"]["HOST"] == "replica-b"
        assert fresh.DATABASE_ROUTERS == [ROUTER]
        assert fresh.DATABASES["replica_1"]["CONN_MAX_AGE"] == 0
        assert fresh.DATABASES["replica_1"]["OPTIONS"]["pool"]["max_size"] >= 1
    finally:
        monkeypatch.undo()
        importlib.reload(module)
