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

from django.contrib.sessions.backends import cached_db

from .cache import FailOpenRedisCache


class SessionStore(cached_db.SessionStore):
    def save(self, must_create: bool = False) -> None:
        super().save(must_create=must_create)
        if not must_create and self._cache_missed_the_write():
            self.cycle_key()  # the data under a new key (saved with must_create), the old key deleted

    def _cache_missed_the_write(self) -> bool:
        cache = getattr(self, "_cache", None)  # cached_db's cache (untyped in the stubs)
        return isinstance(cache, FailOpenRedisCache) and cache.is_down()
