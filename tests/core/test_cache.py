"""The shared cache: with REDIS_URL set (the README requires it for more than one host) pages use
Django's RedisCache, whose client package must be installed with the pins.

CI runs the cache-heavy part of the suite a second time with REDIS_URL set (.ci/run); the
``needs_redis`` tests run only then.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from tests.redis_cache import PrefixedRedisCache

REQUIREMENTS = Path(settings.BASE_DIR) / "requirements.txt"
needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL=redis://127.0.0.1:6379/1"
)


def test_the_redis_client_is_pinned_with_the_runtime_requirements():
    pins = dict(
        re.match(r"([A-Za-z0-9_.\-\[\]]+)==(\S+)", line).groups()
        for line in REQUIREMENTS.read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    assert pins.get("redis") == "8.2.0"


def test_djangos_redis_cache_can_build_its_client():
    # Building the client imports the redis package (no connection is made): without it every
    # page that touches the cache answers 500 "No module named 'redis'".
    backend = RedisCache("redis://127.0.0.1:6379/1", {})
    client = backend._cache.get_client(write=True)
    assert type(client).__module__.startswith("redis")


@needs_redis
@pytest.mark.django_db
def test_pages_use_the_shared_redis_cache(client, home_page):
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    assert settings.CACHES["default"]["LOCATION"] == os.environ["REDIS_URL"]
    response = client.get("/")
    assert response.status_code == 200
    cache.set("tianyuan-round-trip", {"村": "桃花坞", "fen": 3500}, 60)
    assert cache.get("tianyuan-round-trip") == {"村": "桃花坞", "fen": 3500}
    # The page stored its fragments there, under this test process's prefix.
    redis = cache._cache.get_client(write=True)
    assert len(list(redis.scan_iter(match=f"{cache.key_prefix}:*"))) > 1


@needs_redis
def test_clearing_the_test_cache_leaves_other_processes_keys_alone():
    cache = caches["default"]
    other = PrefixedRedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"{cache.key_prefix}-other"})
    other.set("kept", 1, 60)
    cache.set("gone", 1, 60)
    try:
        cache.clear()
        assert cache.get("gone") is None
        assert other.get("kept") == 1
    finally:
        other.clear()
    assert other.get("kept") is None
