import datetime
import os
import shutil
import time
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.test import override_settings
from django.utils import translation

# Fixtures of the basket/checkout/order tests (helper H): visitor, stay_room, arrival, fake_online.
# Farmer dashboard fixtures: farmer, other_farmer, farmer_client, moderator, product_workflow.
# An order of a stay, a tour, tickets and produce (cancelling one line): trip_things, trip.
# A paid stay alone (moving a stay): stay_trip, ten_days_before.
# A homestay's nights called off: rooms, staff, refusing.
pytest_plugins = [
    "tests.orders.checkout_fixtures",
    "tests.products.farmer_fixtures",
    "tests.orders.line_cancel_fixtures",
    "tests.orders.stay_change_fixtures",
    "tests.orders.waitlist_fixtures",
    "tests.homestays.stay_call_off_fixtures",
]

# TIANYUAN_NOW=2026-12-31T23:50 runs the tests at that moment (town time unless it has an offset):
# collection, the test database (unless copied from tests/migrated_template.py's copy, whose rows carry
# no date a test reads) and every module's fixtures are made at exactly that moment, and
# each test starts there with the clock running on (so holds still expire). A test that pins its
# own moment with time_machine keeps it (the innermost travel wins). `.ci/run` runs the tests
# marked date_sensitive at a few such moments.
NOW_VARIABLE = "TIANYUAN_NOW"


@pytest.fixture
def sms_outbox(settings):
    """Text messages sent (``town.sms`` memory backend), as ``mail.outbox`` holds e-mails."""
    from town import sms

    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    sms.MemoryBackend.fail_next = 0
    yield sms.outbox
    sms.outbox.clear()
    sms.MemoryBackend.fail_next = 0


def fixed_moment():
    """The moment TIANYUAN_NOW names (an aware datetime in UTC), or None when it is not set."""
    value = os.environ.get(NOW_VARIABLE, "").strip()
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(
            f"{NOW_VARIABLE}={value!r} is not an ISO date and time such as 2026-12-31T23:50"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    # In UTC, so that time-machine leaves the process's TZ alone (Django set it from TIME_ZONE).
    return moment.astimezone(datetime.UTC)


def real_now():
    """The real time, even while travelling."""
    hatch = time_machine.escape_hatch
    seconds = hatch.time.time() if hatch.is_travelling() else time.time()
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


def start_travel(moment, *, tick):
    if moment is None:
        return None
    travel = time_machine.travel(moment, tick=tick)
    travel.start()
    return travel


def pytest_configure(config):
    config._tianyuan_travel = start_travel(fixed_moment(), tick=False)
    from tests import migrated_template

    migrated_template.install()  # SQLite: the migrated database copied, not migrated again


def pytest_unconfigure(config):
    travel = getattr(config, "_tianyuan_travel", None)
    if travel is not None:
        travel.stop()


def pytest_report_header(config):
    moment = fixed_moment()
    if moment is not None:
        town = moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        return f"{NOW_VARIABLE}: every test starts at {town.isoformat()} ({settings.TIME_ZONE})"
    return None


@pytest.fixture(scope="module", autouse=True)
def _fixed_moment_for_module():
    """Module fixtures (a module's town, the demo town) are made at TIANYUAN_NOW exactly, however
    long the run or the loading takes: the clock stands still outside the tests."""
    travel = start_travel(fixed_moment(), tick=False)
    yield
    if travel is not None:
        travel.stop()


@pytest.fixture(autouse=True)
def _fixed_moment(request):
    """Each test (and its fixtures) starts at TIANYUAN_NOW and its clock runs; a real_clock test
    travels back to the real time."""
    moment = fixed_moment()
    if moment is not None and request.node.get_closest_marker("real_clock"):
        moment = real_now()
    travel = start_travel(moment, tick=True)
    yield
    if travel is not None:
        travel.stop()


def uses_demo(item):
    return "demo_town" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests skip with a reason on SQLite, unless CI says PostgreSQL is required.

    Every transactional test restores the data the migrations made (serialized rollback): its
    flush then skips post_migrate, whose handlers would recreate content types, groups and
    workflows under new ids on PostgreSQL and break the next test that needs the originals.

    The tests on the demo town run first, one after another, so each process loads the town once
    for all of them (see DemoTown). xdist's (default) load distribution hands the tests out in
    this order, so each worker runs whatever demo tests it gets before any other; in a whole run
    they all fit in the first worker's first batch (a quarter of its share), so one worker loads
    the town once. (``--dist loadgroup`` cannot group them: with pytest 9 xdist 3.8 ignores the
    xdist_group mark.)
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = "transactional_db" in getattr(item, "fixturenames", ()) or (
            marker is not None and marker.kwargs.get("transaction")
        )
        if transactional:
            if uses_demo(item):
                raise pytest.UsageError(f"{item.nodeid}: the demo town is not for transactional tests")
            kwargs = {**(marker.kwargs if marker else {}), "transaction": True, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)
    items[:] = [item for item in items if uses_demo(item)] + [item for item in items if not uses_demo(item)]
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if on_postgres:
        return
    if os.environ.get("REQUIRE_POSTGRES"):
        raise pytest.UsageError("REQUIRE_POSTGRES is set but DATABASE_URL is not a PostgreSQL URL")
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://... to run it")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


class DemoTown:
    """The demo town (``load_demo``) of one test process, loaded inside a transaction that stays
    open while the tests using it run one after another (they only read it; each still runs in
    its own savepoint) and is rolled back before the first test that does not use it: loading
    takes up to a minute."""

    def __init__(self, blocker, media):
        self.blocker = blocker
        self.media = media
        self.atomic = None

    @property
    def loaded(self):
        return self.atomic is not None

    def load(self):
        if self.loaded:
            return
        self.media.mkdir(parents=True, exist_ok=True)
        # Made at TIANYUAN_NOW exactly, the clock standing still however long loading takes.
        travel = start_travel(fixed_moment(), tick=False)
        try:
            with self.blocker.unblock():
                self.atomic = transaction.atomic()
                self.atomic.__enter__()
                try:
                    SiteSearchIndex.on()  # the demo tests search the demo town
                    with override_settings(MEDIA_ROOT=str(self.media)):
                        call_command("load_demo", force=True, quiet=True)
                except BaseException:
                    self.unload()
                    raise
        finally:
            SiteSearchIndex.off()
            if travel is not None:
                travel.stop()

    def unload(self):
        if not self.loaded:
            return
        atomic, self.atomic = self.atomic, None
        with self.blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        shutil.rmtree(self.media, ignore_errors=True)


@pytest.fixture(scope="session")
def _demo_town_process(django_db_setup, django_db_blocker, tmp_path_factory, pytestconfig):
    town = DemoTown(django_db_blocker, tmp_path_factory.mktemp("demo") / "media")
    pytestconfig._tianyuan_demo_town = town
    yield town
    town.unload()  # before the test database goes
    pytestconfig._tianyuan_demo_town = None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A test that does not use the demo town never sees it: it is rolled back first."""
    town = getattr(item.config, "_tianyuan_demo_town", None)
    if town is not None and not uses_demo(item):
        town.unload()


@pytest.fixture(scope="module")
def _demo_town_module(_demo_town_process):
    # Module scope: loaded before any test's own transaction (function fixtures) begins.
    _demo_town_process.load()
    return _demo_town_process


@pytest.fixture
def demo_town(_demo_town_module):
    """The demo town, shared read-only by the tests using it (see DemoTown). Yields its media
    folder. Not for transactional tests: their flush would empty it."""
    if not _demo_town_module.loaded:
        pytest.fail(
            "the demo town was rolled back for a test between this module's demo tests: "
            "the demo tests must run one after another (see pytest_collection_modifyitems)"
        )
    return str(_demo_town_module.media)


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
def _site_language():
    """Each test starts in the site's language: a request leaves its language active in the
    thread, and a later test's ``reverse()`` would otherwise build /en/ addresses (such a test
    passed or failed by which test its worker ran before it)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches: no fragment, content version or rendition (whose image
    ids the next test's rows reuse) leaks between tests, nor a page or route this process kept."""
    from django.core.cache import caches

    from town.cache import content_memo
    from town.page_cache import local_pages

    for name in ("default", "renditions"):
        caches[name].clear()
    local_pages.clear()
    content_memo.clear()
    yield
    for name in ("default", "renditions"):
        caches[name].clear()
    local_pages.clear()
    content_memo.clear()


class MigratedRows:
    """PostgreSQL: the rows the migrations made, copied once into a schema of their own, put back
    with one INSERT … SELECT per table before each transactional test (after the previous one's
    flush), instead of Django's serialized rollback re-saving them object by object (seconds per
    test). The same rows come back; sequences are left alone, as Django's restore leaves them."""

    SCHEMA = "tianyuan_migrated_rows"  # outside the search path: Django never sees its tables

    def __init__(self, connection):
        self.connection = connection
        quote = connection.ops.quote_name
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        self.tables = []
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {self.SCHEMA} CASCADE")
            cursor.execute(f"CREATE SCHEMA {self.SCHEMA}")
            for table in sorted(tables):
                # Table names from Django's introspection, quoted.
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")  # noqa: S608
                if cursor.fetchone()[0]:
                    cursor.execute(f"CREATE TABLE {self.SCHEMA}.{quote(table)} AS TABLE {quote(table)}")
                    self.tables.append(quote(table))

    def restore(self, _serialized=None):
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys are deferrable
            for table in self.tables:
                # Empty after a flush; still holding the migrations' rows before the first one.
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
                cursor.execute(f"INSERT INTO {table} SELECT * FROM {self.SCHEMA}.{table}")  # noqa: S608


def flush_only_filled_tables(truncate_all):
    """PostgreSQL: a transactional test's flush deletes the rows of the few tables that have any,
    in one query, where TRUNCATE of all of them (some 250) took seconds per test."""

    def sql_flush(style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate_all(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        quote = connection.ops.quote_name
        probe = " UNION ALL ".join(
            f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(table)})"  # noqa: S608 - introspected names
            for table in tables
        )
        with connection.cursor() as cursor:
            cursor.execute(probe, list(tables))
            filled = [row[0] for row in cursor.fetchall()]
        deletes = [f"DELETE FROM {quote(table)}" for table in filled]  # noqa: S608 - introspected names
        # Django's foreign keys are deferrable: checked at the end, when every row is gone.
        return ["SET CONSTRAINTS ALL DEFERRED", *deletes]

    return sql_flush


class WagtailIndexes:
    """Wagtail's own indexes kept on every save: its admin search index (modelsearch) and its
    reference index ("usage"). Tests switch them off: together they cost about a fifth of the
    suite, every page a factory makes being indexed on each of its saves, and only the tests
    marked ``wagtail_indexing`` read them. The site search's own index (search/) stays on."""

    @staticmethod
    def off():
        from modelsearch import index
        from modelsearch.signal_handlers import post_save_signal_handler
        from wagtail.signal_handlers import disconnect_reference_index_signal_handlers

        disconnect_reference_index_signal_handlers()
        for model in index.get_indexed_models():
            post_save.disconnect(post_save_signal_handler, sender=model)

    @staticmethod
    def on():
        from modelsearch.signal_handlers import register_signal_handlers
        from wagtail.signal_handlers import connect_reference_index_signal_handlers

        # Connecting a receiver again for the same sender is a no-op: never twice.
        connect_reference_index_signal_handlers()
        register_signal_handlers()


class SiteSearchIndex:
    """The site search's own index (search/signals.py), kept current on every save. Tests switch
    it off too (a seventh of the suite's time went to indexing pages no test searched) except
    where they are marked ``site_search`` (tests/search and the search page's tests, whole
    modules) and for the demo town, which is searched."""

    @staticmethod
    def off():
        from search import signals

        signals.disconnect()

    @staticmethod
    def on():
        from search import signals

        signals.connect()


@pytest.fixture(autouse=True)
def _wagtail_indexes(request):
    wagtail = request.node.get_closest_marker("wagtail_indexing")
    site = request.node.get_closest_marker("site_search")
    if wagtail:
        WagtailIndexes.on()
    if site:
        SiteSearchIndex.on()
    yield
    if wagtail:
        WagtailIndexes.off()
    if site:
        SiteSearchIndex.off()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Wagtail's indexes off (see WagtailIndexes). On PostgreSQL, transactional tests are flushed
    and get the migrations' rows back faster: see flush_only_filled_tables and MigratedRows."""
    WagtailIndexes.off()  # after migrating: migrate's post_migrate signal connects them
    SiteSearchIndex.off()
    if connection.vendor != "postgresql":
        yield
        return
    creation, ops = connection.creation, connection.ops
    with django_db_blocker.unblock():
        creation.deserialize_db_from_string = MigratedRows(connection).restore
    ops.sql_flush = flush_only_filled_tables(ops.sql_flush)
    yield
    del creation.deserialize_db_from_string, ops.sql_flush


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


@pytest.fixture
def english_admin_client(client):
    """A client logged in as a superuser whose admin is in English, so messages can be compared
    as written."""
    from wagtail.users.models import UserProfile

    from tests.factories.accounts import SuperuserFactory

    user = SuperuserFactory()
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client
