"""Django's RedisCache, made to degrade instead of fail when Redis is unreachable.

The cache only ever saves work, so a Redis outage must not become a site outage: a read
that cannot reach Redis is a miss, a write is dropped, and each failure is logged. Pages
are then built from the database, more slowly, until Redis answers again (redis-py
reconnects by itself on the next command).
"""

import logging
from collections.abc import Callable
from typing import Any, Concatenate

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _degrade[**P, R](
    operation: str, fallback: Callable[P, R]
) -> Callable[Concatenate["ResilientRedisCacheClient", P], R]:
    """RedisCacheClient's ``operation``, answering what ``fallback`` (called with the same
    arguments) answers when Redis cannot be reached."""

    def wrapper(self: "ResilientRedisCacheClient", *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return getattr(super(ResilientRedisCacheClient, self), operation)(*args, **kwargs)
        except UNREACHABLE as error:
            logger.warning("Cache unavailable, %s skipped: %s", operation, error)
            return fallback(*args, **kwargs)

    wrapper.__name__ = operation
    return wrapper


# Add to a counter that exists, in one round trip and atomically; nil when there is none.
INCR_EXISTING = """
if redis.call("EXISTS", KEYS[1]) == 1 then return redis.call("INCRBY", KEYS[1], ARGV[1]) end
return false
"""


class ResilientRedisCacheClient(RedisCacheClient):
    def get_client(
        self, key: str | bytes | memoryview | None = None, *, write: bool = False
    ) -> Redis:
        # Django builds a new redis.Redis for every operation, and its constructor copies
        # a table of some 170 reply handlers: a tenth of a millisecond per cache call.
        # A client is only a handle on its pool and safe to share, so keep one per pool.
        # _get_connection_pool and _client (the redis.Redis class) are Django's private
        # attributes, which the stubs leave out.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        clients: dict[int, Redis] = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client

    def incr(self, key: str | bytes | memoryview, delta: int) -> int:
        # Django asks EXISTS, then INCR: two round trips, and a counter that expires between
        # them is made again by INCR without an expiry, to count for ever.
        try:
            value = self.get_client(key, write=True).eval(INCR_EXISTING, 1, key, delta)
        except UNREACHABLE as error:
            # A counter that cannot be read starts again from nothing (a rate limit fails open).
            logger.warning("Cache unavailable, incr skipped: %s", error)
            return delta
        if value is None:
            raise ValueError(f"Key {key!r} not found.")
        return int(value)

    # What each operation answers when Redis cannot be reached: what an empty cache answers.
    add = _degrade("add", lambda key, value, timeout: False)
    get = _degrade("get", lambda key, default: default)
    set = _degrade("set", lambda key, value, timeout: None)
    touch = _degrade("touch", lambda key, timeout: False)
    delete = _degrade("delete", lambda key: False)
    get_many = _degrade("get_many", lambda keys: {})
    has_key = _degrade("has_key", lambda key: False)
    # (RedisCacheClient.set_many answers nothing: RedisCache.set_many returns [] itself.)
    set_many = _degrade("set_many", lambda data, timeout: None)
    delete_many = _degrade("delete_many", lambda keys: None)
    clear = _degrade("clear", lambda: False)


class ResilientRedisCache(RedisCache):
    """settings.CACHES backend: ``dialogue_portal.core.cache.ResilientRedisCache``."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient

    def validate_key(self, key: str) -> None:
        """No check: Django's warns of keys memcached would refuse (long ones, spaces,
        control characters), which Redis stores as they are. A cached page's hit reads a
        dozen keys, and checking each cost more than reading them apart from the round trip."""
