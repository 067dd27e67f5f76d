"""Local development: DEBUG on, SQLite file, console e-mail, no keys needed."""

from .base import *  # noqa: F403
from .base import env_list

DEBUG = True
SECRET_KEY = "dev-only-not-secret-tianyuan"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
INTERNAL_IPS = ["127.0.0.1"]
DEMO_LOGINS_VISIBLE = True
