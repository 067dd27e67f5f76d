import os
import shutil

import pytest
from django.conf import settings
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests skip with a reason on SQLite, unless CI says PostgreSQL is required."""
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if on_postgres:
        return
    if os.environ.get("REQUIRE_POSTGRES"):
        raise pytest.UsageError("REQUIRE_POSTGRES is set but DATABASE_URL is not a PostgreSQL URL")
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://... to run it")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Each test writes its uploads and renditions to its own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def db_vendor():
    return connection.vendor
