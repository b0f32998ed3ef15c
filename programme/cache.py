"""A Redis cache that fails open: a Redis outage must not become an outage for people.

The cache holds rate-limit counters (allauth) and the cached copy of sessions (`cached_db`: the database
holds the truth). When Redis does not answer, every operation logs a warning and answers as an empty
cache would: reads miss, writes are dropped, `add` succeeds (allauth's rate-limit lock is an `add`, so
the limits fail open instead of refusing every login). After a failure Redis is left alone for
`RETRY_AFTER` seconds, so a dead or unreachable server costs one short timeout, not one per call.
"""

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds during which a process stops trying Redis after a failure.
RETRY_AFTER = 5.0


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, answering like an empty cache (with a logged warning) while Redis is down."""

    _down_until = 0.0  # per process: monotonic time before which Redis is not tried again

    def _guard(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        if time.monotonic() < FailOpenRedisCache._down_until:
            return fallback
        try:
            return call()
        except (RedisError, OSError) as error:
            FailOpenRedisCache._down_until = time.monotonic() + RETRY_AFTER
            logger.warning(
                "Redis cache unavailable (%s on %s): answering as an empty cache for %.0f s",
                error.__class__.__name__,
                operation,
                RETRY_AFTER,
            )
            return fallback

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(
            "add", lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version), True
        )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard("get", lambda: super(FailOpenRedisCache, self).get(key, default, version), default)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._guard("set", lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(
            "touch", lambda: super(FailOpenRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard("delete", lambda: super(FailOpenRedisCache, self).delete(key, version), False)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guard("get_many", lambda: super(FailOpenRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard("has_key", lambda: super(FailOpenRedisCache, self).has_key(key, version), False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        value = self._guard("incr", lambda: super(FailOpenRedisCache, self).incr(key, delta, version), None)
        if value is None:  # what every Django cache says of a missing key; callers handle it
            raise ValueError(f"Key '{key}' not found")
        return value

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        return self._guard(
            "set_many", lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guard("delete_many", lambda: super(FailOpenRedisCache, self).delete_many(keys, version), None)

    def clear(self) -> None:
        self._guard("clear", lambda: super(FailOpenRedisCache, self).clear(), None)
