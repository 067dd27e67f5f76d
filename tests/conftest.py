import os
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings

# Fixtures of the basket/checkout/order tests (helper H): visitor, stay_room, arrival, fake_online.
# Farmer dashboard fixtures: farmer, other_farmer, farmer_client, moderator, product_workflow.
pytest_plugins = ["tests.orders.checkout_fixtures", "tests.products.farmer_fixtures"]


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests skip with a reason on SQLite, unless CI says PostgreSQL is required.

    Every transactional test restores the data the migrations made (serialized rollback): its
    flush then skips post_migrate, whose handlers would recreate content types, groups and
    workflows under new ids on PostgreSQL and break the next test that needs the originals.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = "transactional_db" in getattr(item, "fixturenames", ()) or (
            marker is not None and marker.kwargs.get("transaction")
        )
        if transactional:
            kwargs = {**(marker.kwargs if marker else {}), "transaction": True, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if on_postgres:
        return
    if os.environ.get("REQUIRE_POSTGRES"):
        raise pytest.UsageError("REQUIRE_POSTGRES is set but DATABASE_URL is not a PostgreSQL URL")
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://... to run it")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def demo_town(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo town (``load_demo``), loaded once per test module inside a transaction that is
    rolled back after the module: loading it takes long, and the checks using it only read it
    (each test still runs in its own savepoint). Yields the demo's media folder."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        call_command("load_demo", force=True, quiet=True)
        yield str(media)
        transaction.set_rollback(True)
    shutil.rmtree(media, ignore_errors=True)


@pytest.fixture(autouse=True)
def _media_root(request, tmp_path, settings):
    """Each test writes its uploads and renditions to its own folder (demo tests: the demo's)."""
    if "demo_town" in request.fixturenames:
        settings.MEDIA_ROOT = request.getfixturevalue("demo_town")
        yield
        return
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
