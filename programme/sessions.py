"""Sessions in the database with a copy cached in Redis (`cached_db`), safe across a Redis outage.

Django's `cached_db` reads the cached copy first. A session saved while Redis is down reaches the
database only; when Redis comes back with its data, its copy is older than the database — a change made
during the outage would be undone, and a session ended then (logout) would come back. Two guards:
- the cache forgets every key written while it was down, as soon as Redis answers again
  (`programme.cache.FailOpenRedisCache`) — but that is per process, and another process could read the
  old copy first;
- so a session whose save did not reach Redis moves to a new key at once (the browser gets the new
  cookie with the response): the old copy in Redis belongs to a key nobody uses any more.
"""

from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from .batch import PreparedModels, stand_in_text
from .cache import FailOpenRedisCache

#: The moment the session's statement is compiled with, standing for now.
_NOW = datetime(1999, 1, 1, tzinfo=UTC)
_SESSION = PreparedModels(
    lambda shape: Session.objects.filter(session_key=stand_in_text(0), expire_date__gt=_NOW)
)


#: A session opened before the sign-in backend became programme.adapters.ModelBackend names Django's class,
#: which is no longer listed (AUTHENTICATION_BACKENDS): read as ours, so that nobody is signed out by it.
_BACKENDS_RENAMED = {"django.contrib.auth.backends.ModelBackend": "programme.adapters.ModelBackend"}


class PreparedRead:
    """Django's read of a session's row (`db.SessionStore._get_session_from_db`: the row of this key, not
    expired) by a statement compiled once per process: it runs on every page without Redis
    (`programme.db_sessions`), and on a cache miss with it; building and compiling its queryset cost
    more than running it. Its `load` reads a session opened under Django's ModelBackend as one opened
    under ours (`_BACKENDS_RENAMED`)."""

    session_key: str | None
    _session_key: str | None

    def load(self) -> dict[str, Any]:
        data: dict[str, Any] = super().load()  # type: ignore[misc]
        renamed = _BACKENDS_RENAMED.get(data.get(BACKEND_SESSION_KEY, ""))
        if renamed:
            data[BACKEND_SESSION_KEY] = renamed
        return data

    def _get_session_from_db(self) -> Any:
        ops = connection.ops
        now = ops.adapt_datetimefield_value(timezone.now())
        found = _SESSION.objects(
            values={stand_in_text(0): self.session_key, ops.adapt_datetimefield_value(_NOW): now}, today=None
        )
        if found:
            return found[0]
        self._session_key = None  # as Django's read does for a missing or expired session
        return None


class SessionStore(PreparedRead, cached_db.SessionStore):
    def save(self, must_create: bool = False) -> None:
        super().save(must_create=must_create)
        if not must_create and self._cache_missed_the_write():
            self.cycle_key()  # the data under a new key (saved with must_create), the old key deleted

    def _cache_missed_the_write(self) -> bool:
        cache = getattr(self, "_cache", None)  # cached_db's cache (untyped in the stubs)
        return isinstance(cache, FailOpenRedisCache) and cache.is_down()
