"""Which database a request reads from, so that nobody reads older data than they should.

With read replicas (``settings.DATABASE_REPLICAS``), ``routers.PrimaryReplicaRouter`` asks
``read_alias()`` once per request, and the answer holds for every read outside a transaction
in that request:

- **Read your own writes.** A request with an unsafe method (POST, PUT, PATCH, DELETE) reads
  from the primary, and its response carries a signed cookie (``READ_PRIMARY_COOKIE``) for
  ``READ_PRIMARY_SECONDS``: the voter, the rater, the subscriber and the editor who lands on
  the change list read from the primary while a replica may still lack their write. The
  signature carries its time, so a kept cookie is worth nothing after the bound. Varnish
  passes requests bearing it to the nodes (deploy/varnish).
- **Nothing older than the content version.** Pages, cards and counts are cached under the
  content version (``pagecache``). A replica may serve a request only once it has replayed
  the primary's WAL as far as it stood when that version began: ``content_lsn()`` is the
  primary's ``pg_current_wal_lsn()`` read after the version moved (``freshness`` records it
  after each editorial commit; a reader who finds none reads it from the primary), and the
  replica's ``pg_last_wal_replay_lsn()`` must be at least that. Each process remembers how
  far each replica had replayed, which only grows, so a caught-up replica costs one cache
  read per request that reads the database; a replica behind sends the request to the
  primary.
- **A replica that is down** (refused or broken connection) is left alone for
  ``REPLICA_RETRY_SECONDS`` and its reads go to the primary.

Outside a request (commands, the task worker) reads go to the primary.
"""

import logging
import random
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from dialogue_portal.core.pagecache import content_version

logger = logging.getLogger(__name__)

READ_PRIMARY_COOKIE = "dp_primary"
_COOKIE_SALT = "dialogue_portal.core.replication.read-primary"
LSN_KEY = "replication:lsn"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

_LSN_NOW = "SELECT (pg_current_wal_lsn() - '0/0')::bigint"
_LSN_REPLAYED = "SELECT (pg_last_wal_replay_lsn() - '0/0')::bigint"

# Per process: how far each replica had replayed when last asked, and until when a replica
# that failed is left alone (time.time()).
_replayed: dict[str, int] = {}
_down_until: dict[str, float] = {}

# Per request (a request runs in one thread): the primary asked for, and the alias decided.
_request = threading.local()


def _start_request(**kwargs: object) -> None:
    _request.active = True
    _request.primary = False
    _request.alias = None


def _end_request(**kwargs: object) -> None:
    _request.active = False
    _request.primary = False
    _request.alias = None


request_started.connect(_start_request, dispatch_uid="replication_request_started")
request_finished.connect(_end_request, dispatch_uid="replication_request_finished")


def read_from_primary() -> None:
    """This request reads from the primary (its client has just written)."""
    _request.primary = True
    _request.alias = None


def _is_postgres(alias: str) -> bool:
    return connections[alias].vendor == "postgresql"


def _lsn_key(version: int) -> str:
    return f"{LSN_KEY}:{version}"


def note_content_lsn(version: int | None) -> None:
    """After an editorial commit moved the content version to ``version``: record how far
    the primary's WAL had come (``freshness`` calls it). Read after the move, so it covers
    every commit whose move came before."""
    if version is None or not settings.DATABASE_REPLICAS or not _is_postgres(DEFAULT_DB_ALIAS):
        return
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(_LSN_NOW)
        (lsn,) = cursor.fetchone()
    # Kept a day; a reader who finds none reads the primary's position instead, which is
    # as good (read after it saw this version).
    cache.add(_lsn_key(version), lsn, 86400)


def content_lsn() -> int:
    """How far a replica must have replayed to show the current content version."""
    version = content_version()
    lsn = cache.get(_lsn_key(version))
    if lsn is None:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(_LSN_NOW)
            (lsn,) = cursor.fetchone()
        cache.add(_lsn_key(version), lsn, 86400)
    return lsn


def _usable(alias: str) -> bool:
    """The replica answers and has replayed the current content version."""
    if _down_until.get(alias, 0) > time.time():
        return False
    try:
        connection = connections[alias]
        if not _is_postgres(alias):
            connection.ensure_connection()
            return True  # a test mirror of the primary: nothing to replay
        needed = content_lsn()
        if _replayed.get(alias, -1) >= needed:
            # Known to be far enough: the first cursor of the request also checks the
            # connection (CONN_HEALTH_CHECKS), so a replica gone since is noticed here.
            connection.cursor().close()
            return True
        with connection.cursor() as cursor:
            cursor.execute(_LSN_REPLAYED)
            (replayed,) = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Replica %s unavailable, reading from the primary: %s", alias, error)
        _down_until[alias] = time.time() + settings.REPLICA_RETRY_SECONDS
        connections[alias].close()
        return False
    if replayed is None:
        return False  # not a standby (promoted, or a misconfiguration): never trust it
    _replayed[alias] = max(_replayed.get(alias, -1), replayed)
    return replayed >= needed


def read_alias() -> str:
    """The database this request's reads go to (see the module docstring)."""
    replicas = settings.DATABASE_REPLICAS
    if not replicas or not getattr(_request, "active", False) or _request.primary:
        return DEFAULT_DB_ALIAS
    if _request.alias is None:
        _request.alias = DEFAULT_DB_ALIAS
        candidates = list(replicas)
        random.shuffle(candidates)
        for alias in candidates:
            if _usable(alias):
                _request.alias = alias
                break
    return _request.alias


class ReadYourWritesMiddleware:
    """Unsafe requests, and requests from a client that wrote within READ_PRIMARY_SECONDS,
    read from the primary; the answer to an unsafe request marks its client so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        unsafe = request.method not in SAFE_METHODS
        if unsafe or self._marked(request):
            read_from_primary()
        response = self.get_response(request)
        if unsafe:
            response.set_signed_cookie(
                READ_PRIMARY_COOKIE,
                "1",
                salt=_COOKIE_SALT,
                max_age=settings.READ_PRIMARY_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    @staticmethod
    def _marked(request: HttpRequest) -> bool:
        return (
            request.get_signed_cookie(
                READ_PRIMARY_COOKIE,
                default=None,
                salt=_COOKIE_SALT,
                max_age=settings.READ_PRIMARY_SECONDS,
            )
            is not None
        )
