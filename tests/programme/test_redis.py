"""With REDIS_URL set (CI), the configured Redis cache — rate limits, sessions — really works."""

import os
import uuid

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache


@pytest.fixture
def redis_cache():
    if not settings.REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL must be set in CI")
        pytest.skip("REDIS_URL is not set")
    cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"parcours-test-{uuid.uuid4().hex}"})
    yield cache
    cache.delete_many(["counter", "greeting"])


def test_redis_cache_shares_counters_between_clients(redis_cache):
    other = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": redis_cache.key_prefix})
    redis_cache.set("greeting", "bonjour", 30)
    assert other.get("greeting") == "bonjour"
    redis_cache.set("counter", 0, 30)
    other.incr("counter")
    assert redis_cache.incr("counter") == 2


def test_the_cache_keeps_one_client_per_pool_and_still_talks_to_redis(redis_cache):
    """programme.cache: one redis.Redis per connection pool, made once (Django makes one per operation);
    reads and writes through it reach the server as before."""
    from programme.cache import FailOpenRedisCache

    cache = FailOpenRedisCache(settings.REDIS_URL, {"KEY_PREFIX": redis_cache.key_prefix})
    other = redis_cache
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client
    cache.set("greeting", "bonjour", 30)
    assert other.get("greeting") == "bonjour"
    other.set("greeting", "salut", 30)
    assert cache.get("greeting") == "salut"
    assert cache._cache.get_client() is client
    cache.delete("greeting")
