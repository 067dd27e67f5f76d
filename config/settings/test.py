"""Tests: fast hashing, in-memory e-mail, immediate tasks. DATABASE_URL switches to PostgreSQL,
REDIS_URL to a shared Redis cache (as production with several hosts)."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, RENDITIONS_CACHE, STORAGES, database_from_env

DEBUG = False
SECRET_KEY = "test-only-not-secret-tianyuan"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "memory"
# SQLite tests run in memory; DATABASE_URL=postgres://... runs the suite on PostgreSQL.
DATABASES = {"default": database_from_env(f"sqlite:///{BASE_DIR / 'test.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A test database never needs a commit to survive a crash: commits don't wait for the WAL to
    # reach the disk (about 10 ms each on this machine; the PostgreSQL run makes thousands).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
    # A second connection to the same test database, standing in for a read replica; only the
    # replica's own test routes to it (REPORTS_DATABASE stays "default" everywhere else).
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
REPORTS_DATABASE = "default"
MEDIA_ROOT = BASE_DIR / ".test-media"
# Uploads on the local disk whatever the environment says (a bucket's keys left in a shell): the
# object storage has its own test (tests/core/test_two_servers.py), with a server of its own.
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
WAGTAILADMIN_BASE_URL = "http://testserver"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    # Django's RedisCache, with a key prefix per test process (each xdist worker, each run) and a
    # clear() that deletes only that prefix's keys, so parallel workers never empty each other's.
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    CACHES = {
        "default": {
            "BACKEND": "tests.redis_cache.PrefixedRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"tianyuan-test-{_worker}-{os.getpid()}",
        }
    }
CACHES["renditions"] = RENDITIONS_CACHE
# The full-page cache is off for the suite: many tests change rows the way no visitor can (bulk
# updates, a moved clock) and then look at a page. Its own tests (tests/town/test_page_cache.py)
# turn it on.
PAGE_CACHE_ENABLED = False
