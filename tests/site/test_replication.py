"""Read your own writes, and no replica behind the content version
(dialogue_portal.core.replication), without a real replica: the replica's answers are stood
in for."""

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from dialogue_portal.core import replication
from dialogue_portal.core.freshness import content_changed
from dialogue_portal.core.pagecache import content_version
from dialogue_portal.core.replication import READ_PRIMARY_COOKIE, ReadYourWritesMiddleware

REPLICA = "replica_1"


@pytest.fixture
def replicas(settings, monkeypatch):
    """One replica, which answers and has replayed everything unless a test says otherwise."""
    settings.DATABASE_REPLICAS = [REPLICA]
    settings.READ_PRIMARY_SECONDS = 10
    settings.REPLICA_RETRY_SECONDS = 5
    monkeypatch.setattr(replication, "_replayed", {})
    monkeypatch.setattr(replication, "_down_until", {})
    monkeypatch.setattr(replication, "_usable", lambda alias: True)


def serve(request):
    """The request through the middleware; answers which database its reads went to."""
    replication._start_request()
    try:
        seen = []

        def view(request):
            seen.append(replication.read_alias())
            return HttpResponse("ok")

        response = ReadYourWritesMiddleware(view)(request)
    finally:
        replication._end_request()
    return seen[0], response


def test_a_reader_who_has_not_written_reads_from_the_replica(replicas):
    alias, response = serve(RequestFactory().get("/"))
    assert alias == REPLICA
    assert READ_PRIMARY_COOKIE not in response.cookies


def test_a_post_reads_from_the_primary_and_marks_its_client(replicas):
    alias, response = serve(RequestFactory().post("/polls/p/vote/", {"choice": "1"}))
    assert alias == DEFAULT_DB_ALIAS
    mark = response.cookies[READ_PRIMARY_COOKIE]
    assert mark["max-age"] == 10
    assert mark["httponly"]
    assert mark["samesite"] == "Lax"

    # The next request from that client (the redirect after the POST) reads the primary too.
    follow = RequestFactory().get("/polls/p/ballot/")
    follow.COOKIES[READ_PRIMARY_COOKIE] = mark.value
    assert serve(follow)[0] == DEFAULT_DB_ALIAS


def test_the_mark_lasts_read_primary_seconds_only(replicas, clock):
    mark = serve(RequestFactory().post("/"))[1].cookies[READ_PRIMARY_COOKIE].value
    clock.shift(11)  # a client that kept the cookie past its max-age
    later = RequestFactory().get("/")
    later.COOKIES[READ_PRIMARY_COOKIE] = mark
    assert serve(later)[0] == REPLICA


def test_a_forged_mark_counts_for_nothing(replicas):
    forged = RequestFactory().get("/")
    forged.COOKIES[READ_PRIMARY_COOKIE] = "1"
    assert serve(forged)[0] == REPLICA


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_every_unsafe_method_reads_from_the_primary(replicas, method):
    alias, response = serve(getattr(RequestFactory(), method)("/"))
    assert alias == DEFAULT_DB_ALIAS
    assert READ_PRIMARY_COOKIE in response.cookies


def test_without_replicas_no_mark_is_set(settings):
    settings.DATABASE_REPLICAS = []
    alias, response = serve(RequestFactory().post("/"))
    assert alias == DEFAULT_DB_ALIAS
    assert not response.cookies


def test_a_replica_not_usable_sends_the_request_to_the_primary(replicas, monkeypatch):
    asked = []
    monkeypatch.setattr(replication, "_usable", lambda alias: asked.append(alias) or False)
    replication._start_request()
    try:
        assert replication.read_alias() == DEFAULT_DB_ALIAS
        assert replication.read_alias() == DEFAULT_DB_ALIAS
    finally:
        replication._end_request()
    assert asked == [REPLICA]  # decided once per request


# --- the replica's replay position against the content version's ---------------------------


class FakeCursor:
    def __init__(self, replica):
        self.replica = replica

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def close(self):
        pass

    def execute(self, sql):
        if self.replica.down:
            raise OperationalError("connection refused")
        self.replica.queries.append(sql)

    def fetchone(self):
        return (self.replica.replayed,)


class FakeReplica:
    vendor = "postgresql"

    def __init__(self, replayed):
        self.replayed = replayed
        self.queries = []
        self.down = False
        self.closed = 0

    def cursor(self):
        if self.down:
            raise OperationalError("connection refused")
        return FakeCursor(self)

    def close(self):
        self.closed += 1


@pytest.fixture
def replica(settings, monkeypatch):
    settings.DATABASE_REPLICAS = [REPLICA]
    settings.REPLICA_RETRY_SECONDS = 5
    monkeypatch.setattr(replication, "_replayed", {})
    monkeypatch.setattr(replication, "_down_until", {})
    fake = FakeReplica(replayed=1000)
    monkeypatch.setattr(replication, "connections", {REPLICA: fake})
    monkeypatch.setattr(replication, "content_lsn", lambda: 1000)
    return fake


def test_a_replica_that_replayed_the_content_version_is_used(replica):
    assert replication._usable(REPLICA)
    assert replica.queries == [replication._LSN_REPLAYED]
    # Known now to be that far: the next request asks it nothing more.
    assert replication._usable(REPLICA)
    assert len(replica.queries) == 1


def test_a_replica_behind_the_content_version_is_not_used(replica, monkeypatch):
    replica.replayed = 999
    assert not replication._usable(REPLICA)
    replica.replayed = 1000  # it catches up
    assert replication._usable(REPLICA)
    monkeypatch.setattr(replication, "content_lsn", lambda: 1500)  # an editor saved again
    assert not replication._usable(REPLICA)


def test_a_primary_or_promoted_server_is_never_taken_for_a_replica(replica):
    replica.replayed = None  # pg_last_wal_replay_lsn() is NULL outside recovery
    assert not replication._usable(REPLICA)


def test_a_replica_that_is_down_is_left_alone_for_a_while(replica, clock):
    replica.down = True
    assert not replication._usable(REPLICA)
    assert replica.closed == 1
    replica.down = False
    assert not replication._usable(REPLICA)  # not asked again yet
    assert replica.queries == []
    clock.shift(6)
    assert replication._usable(REPLICA)


# --- the position recorded with each content version (PostgreSQL) ---------------------------


def _wal_position():
    with connection.cursor() as cursor:
        cursor.execute(replication._LSN_NOW)
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_editorial_commit_records_the_primary_position_with_the_new_version(settings):
    settings.DATABASE_REPLICAS = [REPLICA]
    before = _wal_position()
    with transaction.atomic():
        content_changed()
    version = content_version()
    recorded = cache.get(replication._lsn_key(version))
    assert recorded is not None and recorded >= before
    assert replication.content_lsn() == recorded


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_version_without_a_position_takes_the_primary_current_one(settings):
    settings.DATABASE_REPLICAS = [REPLICA]
    cache.delete(replication._lsn_key(content_version()))  # evicted, or Redis restarted
    before = _wal_position()
    assert replication.content_lsn() >= before
    assert cache.get(replication._lsn_key(content_version())) is not None
