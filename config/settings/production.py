"""Production: DEBUG off, every setting from the environment, secure cookies, HSTS, CSP.

Required: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL. Optional: ELASTICSEARCH_URL, STRIPE_*,
REDIS_URL, CACHE_KEY_PREFIX, EMAIL_URL, SITE_URL, FRONTEND_CACHE_PURGE_URL, CSRF_TRUSTED_ORIGINS,
MEDIA_ROOT or AWS_STORAGE_BUCKET_NAME (with AWS_S3_*), ALLAUTH_TRUSTED_PROXY_COUNT.
"""

import os
import tempfile
from urllib.parse import unquote, urlsplit

from .base import *  # noqa: F403
from .base import (
    ELASTICSEARCH_URL,
    MIDDLEWARE,
    RENDITIONS_CACHE,
    SILENCED_SYSTEM_CHECKS,
    STORAGES,
    WAGTAILSEARCH_BACKENDS,
    env_bool,
    env_list,
)

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Static files hashed and compressed, served by WhiteNoise (each file's address remembered by the
# process: town.staticfiles). Uploads (the default storage) are the bucket's when
# AWS_STORAGE_BUCKET_NAME is set (base.py), else MEDIA_ROOT, which the web server in front serves
# at /media/ (README): WhiteNoise only knows the files there when the app starts.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "town.staticfiles.RememberingStaticFilesStorage"},
}

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# The Wagtail admin shows its live preview in a same-origin iframe, so not DENY.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W019"]
# Joining the browsers' HSTS preload list is hard to undo: an operator's decision, not a default.
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# The client's address, which the log-in limits count by: how many proxies of ours append to
# X-Forwarded-For in front of the app (one nginx: 1); the address the outermost of them appended
# is the client's. 0 (the default) takes REMOTE_ADDR and ignores the header, which any client
# can write. Behind a proxy, 0 gives everyone the proxy's address and so one shared limit.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))

# Content-Security-Policy (accounts.middleware.ContentSecurityPolicyMiddleware sends it).
MIDDLEWARE = [*MIDDLEWARE, "accounts.middleware.ContentSecurityPolicyMiddleware"]
MAP_TILE_HOST = os.environ.get("MAP_TILE_HOST", "https://*.tile.openstreetmap.org")
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        f"img-src 'self' data: blob: {MAP_TILE_HOST}",
        "script-src 'self' https://js.stripe.com",
        "style-src 'self' 'unsafe-inline'",
        "frame-src 'self' https://js.stripe.com https://www.youtube.com https://player.bilibili.com https://www.bilibili.com",
        "connect-src 'self' https://api.stripe.com",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)

# The content-version cache (town/cache.py) and the rate limits must be shared by every worker
# process: without Redis, a file cache on local disk serves a single host's gunicorn workers.
# Several hosts need REDIS_URL.
if not os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR", os.path.join(tempfile.gettempdir(), "tianyuan-cache")),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
CACHES["renditions"] = RENDITIONS_CACHE
# Sessions read from Redis, so any app server finds one at the cost of a cache read; written
# through to the database too, so a Redis restart or an eviction (the page cache shares its
# memory) logs nobody out and empties no basket.
if os.environ.get("REDIS_URL"):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# A CDN in front: FRONTEND_CACHE_PURGE_URL gets an HTTP PURGE for each page published or
# unpublished (wagtail.contrib.frontend_cache) and for the pages that list it (town.page_cache).
if os.environ.get("FRONTEND_CACHE_PURGE_URL"):
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": os.environ["FRONTEND_CACHE_PURGE_URL"],
        }
    }

# Elasticsearch in production is a cluster: one replica of every index (ours and Wagtail's).
ELASTICSEARCH_REPLICAS = int(os.environ.get("ELASTICSEARCH_REPLICAS", "1"))
if ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS["default"]["INDEX_SETTINGS"] = {
        "settings": {"index": {"number_of_replicas": ELASTICSEARCH_REPLICAS}}
    }

# Background tasks on a database queue, run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# EMAIL_URL=smtp://user:password@host:587 (TLS) or smtps://...:465 (SSL); unset: console.
if os.environ.get("EMAIL_URL"):
    _email = urlsplit(os.environ["EMAIL_URL"])
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = not EMAIL_USE_SSL
