"""A Redis cache that fails open: a Redis outage must not become an outage for people.

The cache holds rate-limit counters (allauth) and the cached copy of sessions (`cached_db`: the database
holds the truth). When Redis does not answer, every operation logs a warning and answers as an empty
cache would: reads miss, writes are dropped, `add` succeeds (allauth's rate-limit lock is an `add`, so
the limits fail open instead of refusing every login). After a failure Redis is left alone for
`RETRY_AFTER` seconds, so a dead or unreachable server costs one short timeout, not one per call.

A write that does not reach Redis leaves Redis with an older copy than what the application wrote (a
session changed or ended during the outage, when Redis comes back with its data). So every key written
or deleted while Redis was down is remembered, and deleted from Redis before anything else as soon as
Redis answers again; the sessions also move to a new key when their save did not reach Redis
(programme/sessions.py), so no other process can read the old copy in between.
"""

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds during which a process stops trying Redis after a failure.
RETRY_AFTER = 5.0
#: At most this many keys written during an outage are remembered for deletion (per process).
STALE_KEYS_MAX = 10_000


class _ReusedClients(RedisCacheClient):
    """Django's Redis cache client, keeping one `redis.Redis` per connection pool: Django's makes a new one
    for every operation, and a client's construction (its table of ~170 reply parsers) cost a page about as
    much as the session's own GET. A client holds no connection of its own — it takes one from the pool
    for each command — and can be shared (redis-py's thread-safety note); each thread has its own cache
    object anyway (`django.core.cache.caches`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[Any, Any] = {}  # {connection pool: its client}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # not in the stubs
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, answering like an empty cache (with a logged warning) while Redis is down."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClients  # RedisCache sets its client class here, not on the class

    _down_until = 0.0  # per process: monotonic time before which Redis is not tried again
    _stale: set[str] = set()  # per process: keys written while Redis was down (full Redis keys)

    @classmethod
    def is_down(cls) -> bool:
        """Whether this process currently leaves Redis alone (a write now would not reach it)."""
        return time.monotonic() < cls._down_until

    def _guard(
        self,
        operation: str,
        call: Callable[[], T],
        fallback: T,
        *,
        writes: Iterable[tuple[Any, int | None]] = (),
    ) -> T:
        try:
            if self.is_down():
                raise _Skipped
            self._forget_stale()
            return call()
        except (RedisError, OSError, _Skipped) as error:
            if not isinstance(error, _Skipped):
                FailOpenRedisCache._down_until = time.monotonic() + RETRY_AFTER
                logger.warning(
                    "Redis cache unavailable (%s on %s): answering as an empty cache for %.0f s",
                    error.__class__.__name__,
                    operation,
                    RETRY_AFTER,
                )
            for key, version in writes:  # Redis may come back with an older copy of these
                if len(FailOpenRedisCache._stale) < STALE_KEYS_MAX:
                    FailOpenRedisCache._stale.add(self.make_and_validate_key(key, version=version))
            return fallback

    def _forget_stale(self) -> None:
        """Delete from Redis the keys written while it was down (their copy there is older)."""
        if FailOpenRedisCache._stale:
            stale = list(FailOpenRedisCache._stale)
            self._cache.get_client(write=True).delete(*stale)
            FailOpenRedisCache._stale.difference_update(stale)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(
            "add",
            lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version),
            True,
            writes=[(key, version)],
        )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard("get", lambda: super(FailOpenRedisCache, self).get(key, default, version), default)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._guard(
            "set",
            lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version),
            None,
            writes=[(key, version)],
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(
            "touch", lambda: super(FailOpenRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard(
            "delete",
            lambda: super(FailOpenRedisCache, self).delete(key, version),
            False,
            writes=[(key, version)],
        )

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guard("get_many", lambda: super(FailOpenRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard("has_key", lambda: super(FailOpenRedisCache, self).has_key(key, version), False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        value = self._guard(
            "incr",
            lambda: super(FailOpenRedisCache, self).incr(key, delta, version),
            None,
            writes=[(key, version)],
        )
        if value is None:  # what every Django cache says of a missing key; callers handle it
            raise ValueError(f"Key '{key}' not found")
        return value

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        return self._guard(
            "set_many",
            lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version),
            list(data),
            writes=[(key, version) for key in data],
        )

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        keys = list(keys)
        self._guard(
            "delete_many",
            lambda: super(FailOpenRedisCache, self).delete_many(keys, version),
            None,
            writes=[(key, version) for key in keys],
        )

    def clear(self) -> None:
        self._guard("clear", lambda: super(FailOpenRedisCache, self).clear(), None)


class _Skipped(Exception):
    """Redis is being left alone after a recent failure: the call is not tried."""
