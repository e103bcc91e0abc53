"""``/health/``: can this node serve, and what is it missing? For Varnish's probe and people.

Each dependency is checked on every call (never cached, ``Cache-Control: no-store``), with
short timeouts: the primary database (``SELECT 1``), each read replica (its replay
position), Redis (``PING``) and the media storage (a lookup of one name). The answer is JSON,
``{"status": ..., "checks": {name: {"ok": ..., "ms": ..., "error": ...}}}``, and its status
code is what a load balancer acts on:

- 200 ``ok``: everything answers;
- 200 ``degraded``: the node still serves pages: reads fall back from a replica to the
  primary, the page cache misses without Redis, and only uploads need the storage;
- 503 ``down``: the primary cannot be reached, so the node cannot serve; take it out.

``/healthz`` stays the plain liveness check (the process answers, nothing else is touched).
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis import Redis

_redis: dict[str, Redis] = {}


def _database(alias: str) -> Callable[[], None]:
    def check() -> None:
        with connections[alias].cursor() as cursor:
            if alias != DEFAULT_DB_ALIAS and connections[alias].vendor == "postgresql":
                cursor.execute("SELECT pg_last_wal_replay_lsn()")
            else:
                cursor.execute("SELECT 1")
            cursor.fetchone()

    return check


def _redis_ping() -> None:
    client = _redis.get(settings.REDIS_URL)
    if client is None:
        client = _redis[settings.REDIS_URL] = Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
        )
    client.ping()


def _storage() -> None:
    default_storage.exists("health-check")


def checks() -> dict[str, Callable[[], None]]:
    found = {"primary": _database(DEFAULT_DB_ALIAS)}
    for alias in settings.DATABASE_REPLICAS:
        found[alias] = _database(alias)
    if settings.REDIS_URL:
        found["redis"] = _redis_ping
    found["storage"] = _storage
    return found


def _run(check: Callable[[], None]) -> dict[str, object]:
    started = time.perf_counter()
    try:
        check()
    except Exception as error:  # noqa: BLE001 - any failure is the answer, never a 500
        result: dict[str, object] = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    else:
        result = {"ok": True}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    results = {name: _run(check) for name, check in checks().items()}
    for alias in settings.DATABASE_REPLICAS:
        if not results[alias]["ok"]:
            connections[alias].close()  # opened afresh next time
    if not results["primary"]["ok"]:
        connections[DEFAULT_DB_ALIAS].close()
        status = "down"
    elif all(result["ok"] for result in results.values()):
        status = "ok"
    else:
        status = "degraded"
    response = JsonResponse(
        {"status": status, "checks": results}, status=503 if status == "down" else 200
    )
    response["Cache-Control"] = "no-store"
    return response
