import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

# Fixtures of the basket/checkout/order tests (helper H): visitor, stay_room, arrival, fake_online.
pytest_plugins = ["tests.orders.checkout_fixtures"]


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


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: no fragment or content version leaks between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def db_vendor():
    return connection.vendor


@pytest.fixture
def home_page(db):
    """The site's Chinese HomePage (under the tree root, the default site's root page)."""
    from tests.factories.home import make_home_page

    return make_home_page()


@pytest.fixture
def en_locale(db):
    from tests.factories.home import en_locale

    return en_locale()
