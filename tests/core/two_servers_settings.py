"""Settings of the app servers that tests/core/test_two_servers.py starts: production's, where
everything else (database, Redis, the bucket) comes from the environment as on a real host, with
only what serving plain http on 127.0.0.1 to a test needs changed."""

from config.settings.production import *  # noqa: F403
from config.settings.production import STORAGES

# The test reads no static file: no collectstatic (and its manifest) before the servers start.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Plain http on loopback: a client sends no Secure cookie there.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# The users the test makes have the test settings' (fast) password hashes.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # Not the 409s of the race (Django logs every 4xx as a warning); a 500 still shows.
    "loggers": {"django.request": {"level": "ERROR"}},
}
# Nor a folder of collected static files for WhiteNoise to look for.
STATIC_ROOT = None
