"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

The browser is Debian's (`apt-get install chromium`), never one `playwright install` downloads.
Without chromium or the playwright package the tests skip with the reason; `REQUIRE_BROWSER=1`
(CI sets it) turns that skip into a failure, so CI cannot pass without running them.

Each test gets a fresh browser context whose requests to anything but the live server are cut
off (map tiles, CDNs), so the tests need no network. Screenshots of every step go to
`test-artifacts/e2e/<test>/NN-step.png` (git-ignored), plus one of each open page on failure.
"""

import datetime
import os
import re
import shutil
import threading
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections
from django.urls import reverse

from tests.conftest import fixed_moment
from tests.factories.accounts import DEFAULT_PASSWORD
from tests.factories.home import make_home_page
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory, RoomTypeFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
TIMEOUT_MS = 15_000
# The moment the e2e tests that depend on the date run at (town time), unless TIANYUAN_NOW names
# another: just after midnight on the last day of a month, when the town's date is a day ahead of
# UTC's and "next month" is a short one.
E2E_NOW = datetime.datetime(2027, 1, 31, 0, 20, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def _chromium_path():
    return (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or ("/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None)
    )


def _missing():
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: pip install -r requirements-dev.txt"
    if not _chromium_path():
        return "Debian's chromium is missing: apt-get install -y chromium chromium-driver"
    return None


def _skip_or_fail(reason):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"browser test: {reason}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"_e2e_report_{report.when}", report)
    return report


@pytest.fixture(scope="session", autouse=True)
def _browser_available():
    """Skip (or, with REQUIRE_BROWSER=1, fail) before any database is set up for nothing."""
    reason = _missing()
    if reason:
        _skip_or_fail(reason)


@pytest.fixture
def browser(live_server, transactional_db, django_db_serialized_rollback, monkeypatch):
    """A headless chromium for one test, started after the test database is ready.

    The live server needs committed data, so these tests are transactional; an earlier one in
    the same process flushed every table, with the rows the migrations made (the root page and
    collection, locales, groups). Serialized rollback puts those back before each test.

    Playwright's sync API keeps an asyncio loop running in this thread while it is started, and
    Django refuses database calls in a thread with a running loop unless told it is safe — which
    it is here: the loop is Playwright's and the test code is synchronous. So the browser lives
    only as long as one test (a second's start-up), and the permission with it; the tests that
    run after it in the same process see neither.
    """
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium_path(), args=["--no-sandbox", "--disable-dev-shm-usage"], headless=True
        )
        yield browser
        browser.close()
        # Django keeps connections per asyncio context: those the test opened while Playwright's
        # loop ran are not the ones pytest-django closes. Left open, PostgreSQL could not drop
        # the test database at the end ("being accessed by other users").
        connections.close_all()
    _wait_for_request_threads()


def e2e_moment():
    """The moment of the e2e tests that depend on the date: TIANYUAN_NOW, else E2E_NOW (UTC)."""
    return fixed_moment() or E2E_NOW.astimezone(datetime.UTC)


@pytest.fixture
def pinned_now(time_machine):
    """The server's clock starts at E2E_NOW (or TIANYUAN_NOW) and runs on; returns that moment.

    The browser keeps its own clock: cookies still last (Django sends Max-Age, which the browser
    counts from its own now) and no page script of ours reads the date.
    """
    moment = e2e_moment()
    time_machine.move_to(moment, tick=True)
    return moment


def _wait_for_request_threads(timeout=10):
    """Let the live server's request threads see the browser's sockets close and finish.

    They keep HTTP/1.1 connections alive, each holding a database connection until its socket
    closes; a thread still running at the end could keep PostgreSQL from dropping the test database.
    """
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout)


class Journey:
    """The open pages of one test, the problems they ran into and the step screenshots."""

    def __init__(self, browser, base_url, folder):
        self.browser = browser
        self.base_url = base_url
        self.folder = folder
        self.contexts = []
        self.pages = []
        self.problems = []
        self.steps = 0

    def new_page(self, *, phone=False, **context_options):
        """A page in a fresh context (its own cookies): a second person gets a second page."""
        options = {"base_url": self.base_url, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
        if phone:
            options.update(PHONE)
        options.update(context_options)
        context = self.browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.route(re.compile(r".*"), self._only_live_server)
        page = context.new_page()
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error: {error}"))
        page.on("response", self._check_response)
        self.contexts.append(context)
        self.pages.append(page)
        return page

    def _only_live_server(self, route):
        url = route.request.url
        if url.startswith(self.base_url) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def _check_response(self, response):
        if response.status >= 500:
            self.problems.append(
                f"{response.status} from {response.request.method} {urlsplit(response.url).path}"
            )

    def shot(self, page, step):
        """Save a screenshot of this step: NN-step.png."""
        self.steps += 1
        name = re.sub(r"[^\w-]+", "-", step).strip("-")
        self.folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(self.folder / f"{self.steps:02d}-{name}.png"), full_page=True)

    def close(self, failed):
        if failed:
            for index, page in enumerate(self.pages):
                if not page.is_closed():
                    try:
                        self.shot(page, f"failure-page{index + 1}")
                    except Exception as exc:  # the test's own failure matters more
                        print(f"could not take the failure screenshot: {exc}")
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(request, browser, live_server):
    """Pages on the live server for one test; `journey.new_page()` opens one, `journey.shot()` records it."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    trip = Journey(browser, live_server.url, folder)
    yield trip
    report = getattr(request.node, "_e2e_report_call", None)
    failed = report is None or report.failed
    trip.close(failed)
    if not failed and trip.problems:
        pytest.fail("the browser ran into problems:\n" + "\n".join(trip.problems), pytrace=False)


def fill_form(page, form, values):
    """Fill the named fields of `form` (a locator): text, date and number inputs, selects, checkboxes."""
    for name, value in values.items():
        field = form.locator(f'[name="{name}"]')
        if field.first.get_attribute("type") == "radio":
            form.locator(f'[name="{name}"][value="{value}"]').check()
            continue
        kind = (field.get_attribute("type") or field.evaluate("e => e.tagName")).lower()
        if kind == "select":
            field.select_option(str(value))
        elif kind == "checkbox":
            field.set_checked(bool(value))
        else:
            field.fill(str(value))


def log_in(page, user, password=DEFAULT_PASSWORD):
    """Log in on allauth's page (the current page if it is the log-in page, else we go there)."""
    if "/accounts/login/" not in page.url:
        page.goto(reverse("account_login"))
    form = page.locator("main form").filter(has=page.locator('[name="password"]'))
    fill_form(page, form, {"login": user.email, "password": password})
    form.locator('button[type="submit"]').click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def homestay(transactional_db, pinned_now):
    """A homestay with one room type (two units, ¥328 a night), for the stay journeys."""
    home = make_home_page()
    index = HomestayIndexPageFactory(parent=home, slug="homestays")
    page = HomestayPageFactory(parent=index, title="溪畔人家", cancellation_policy="moderate")
    room = RoomTypeFactory(page=page, name="观山大床房", units=2, base_price_fen=32800, max_guests=2)
    return page, room
