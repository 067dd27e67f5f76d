"""Content-versioned caching for the public pages.

What a visitor sees (menus, footer, listings, cards) changes only when an editor publishes,
moves or deletes a page, or edits a snippet, image or setting. So every cached value and template
fragment carries one shared "content version" in its key, and those edits bump it: the next
request misses everything at once and renders fresh. No entry is ever invalidated one by one,
nothing stale survives a publish, and the old entries simply age out of the cache.

Bookings and availability (``orders``, homestay calendars and quotes) are never cached here and
do not bump the version: they change all the time and must stay live.

The version lives in the Django cache, so every process must share one (Redis in production):
with a per-process cache, a publish would reach only the process that handled it.

The pages clock (``pages_clock``) is one more shared value, moved by every invalidation of
anything a page shows (this version, and the pages and stock versions of ``town.page_cache``):
while it stands still, a process may serve the pages it keeps in its own memory after one small
read instead of fetching and checking each page's versions.
"""

import contextvars
import secrets
import time
from contextlib import contextmanager

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "tianyuan:content-version"
PAGES_CLOCK_KEY = "tianyuan:pages-clock"
# Entries keyed by an old version are never read again; this only bounds how long they linger.
CONTENT_TIMEOUT = 60 * 60 * 24
# Lists that change as time passes (upcoming events) are also keyed by the local date.
TIME_DEPENDENT_TIMEOUT = 60 * 10

_MISSING = object()

# The shared versions read by the request being served ({cache key: value}), or None outside a
# request (see ``versions_read_once``).
_request_versions = contextvars.ContextVar("tianyuan_request_versions", default=None)


@contextmanager
def versions_read_once():
    """While serving one request: each shared version (content, pages) is read from the cache
    once, however many fragments and values ask for it (a page asked for the content version
    ten times, each a file read with the file cache). A bump made by this request (a form that
    publishes) is seen at once; one made by another process meanwhile is seen by the next
    request, as if this one had read all its fragments a moment earlier: what it stores is
    under the old version, which nobody reads any more."""
    token = _request_versions.set({})
    try:
        yield
    finally:
        _request_versions.reset(token)


def remembered_version(key, read):
    """``read()`` (a shared version under ``key``), read once per request."""
    seen = _request_versions.get()
    if seen is None:
        return read()
    version = seen.get(key)
    if version is None:
        version = seen[key] = read()
    return version


def remember_version(key, value):
    """Give the request being served the versions read in one round trip (or None to forget)."""
    seen = _request_versions.get()
    if seen is not None:
        if value is None:
            seen.pop(key, None)
        else:
            seen[key] = value


def content_version():
    """The current content version (a cache read, no database query; once per request)."""
    return remembered_version(VERSION_KEY, _read_content_version)


def _read_content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        # Start from the clock, not 1: if the key is ever evicted, the new version cannot meet
        # fragments stored under an old one. A random part too: under a clock that stands (a
        # test's frozen time) the new version must still differ from the old one, which the
        # memos of this process (``ContentMemo``) would otherwise take as still current.
        cache.add(VERSION_KEY, time.time_ns() // 1000 * 1000 + secrets.randbelow(1000), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_content_version():
    """Make every cached fragment and value stale at once."""
    remember_version(VERSION_KEY, None)  # this request reads the new one
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted): the next read starts a new version
        content_version()
    move_pages_clock()


def _clock_stamp():
    # The clock only has to differ from every value a process may have seen: the time, and a
    # random part for two processes moving it in the same nanosecond.
    return f"{time.time_ns()}.{secrets.randbits(32)}"


def pages_clock():
    """The pages clock's current value (one cache read)."""
    stamp = cache.get(PAGES_CLOCK_KEY)
    if stamp is None:
        # Never set, or evicted: a new value, which no copy kept in memory was read under.
        cache.add(PAGES_CLOCK_KEY, _clock_stamp(), timeout=None)
        stamp = cache.get(PAGES_CLOCK_KEY)
    return stamp


def move_pages_clock():
    """Call after writing the version an invalidation changes, never before: a reader takes the
    clock first and the versions after it, so a copy it keeps is either read under the new
    versions or marked with a clock that no longer stands."""
    cache.set(PAGES_CLOCK_KEY, _clock_stamp(), timeout=None)


def bump_after_commit():
    """Bump now, and again once the transaction commits.

    The first bump serves this transaction's own requests; the second stops a request that read
    the old rows mid-transaction from caching them under the version that follows the change."""
    bump_content_version()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump_content_version)


def versioned_key(*parts):
    return ":".join(["tianyuan", *(str(part) for part in parts), f"v{content_version()}"])


def cached(parts, compute, timeout=CONTENT_TIMEOUT, in_process=False):
    """``compute()``, remembered under ``parts`` plus the content version (None is remembered too).

    ``in_process``: also kept in this process's memory (``content_memo``) for the rest of the
    version, so a page asking again reads no cache at all. Only for values of content alone
    (the default timeout) that every caller only reads: the same object is handed to each
    request of the process, where the shared cache hands each a copy."""
    key = versioned_key(*parts)
    if in_process:
        hit = content_memo.get(key, _MISSING)
        if hit is not _MISSING:
            return hit
    hit = cache.get(key, _MISSING)
    if hit is _MISSING:
        hit = compute()
        cache.set(key, hit, timeout)
    if in_process:
        content_memo.set(key, hit, timeout)
    return hit


def query_key(request, **checks):
    """The query parameters as a cache-key part, or None when this request must not be cached.

    ``checks`` maps each known parameter to a function telling whether a value is valid. Any
    other parameter, a repeated one or an invalid value gives None: the page then renders
    uncached (its error messages and pagination links echo what was typed). The order is kept,
    as the pagination links keep it."""
    parts = []
    for name in request.GET:
        values = request.GET.getlist(name)
        if name not in checks or len(values) != 1 or not checks[name](values[0]):
            return None
        parts.append(f"{name}={values[0]}")
    return "&".join(parts)


def is_page_number(value):
    return value.isascii() and value.isdigit() and len(value) <= 4


class lazy_value:  # noqa: N801 (used like a function in get_context)
    """A context value computed on first use, then remembered.

    Templates call callables each time they resolve a name; this one does the work once. Page
    contexts use it so listings are only computed when their cached fragment misses."""

    def __init__(self, compute):
        self._compute = compute
        self._value = _MISSING

    def __call__(self):
        if self._value is _MISSING:
            self._value = self._compute()
        return self._value


# What editors change: these apps' models, plus the few Wagtail and taggit models pages are built
# from. Not orders (bookings) and not image renditions (made on first view of an image size).
# scenic: facilities, notices and car parks as edited (the free spaces change by update(), which
# sends no signal, and clear only what shows them: town.page_cache.bump_stock).
CONTENT_APPS = {"town", "home", "attractions", "events", "scenic", "taggit"}
CONTENT_MODELS = {
    ("wagtailcore", "site"),
    ("wagtailcore", "locale"),
    ("wagtailcore", "pageviewrestriction"),
    ("wagtailimages", "image"),
    # Staff's synonym groups change what a search finds (search/synonyms).
    ("sitesearch", "searchsynonym"),
    # A study-tour programme's days, group prices and photos (rows of its page, published with it,
    # but they can be written on their own too): the programme pages are cached fragments.
    ("groups", "programmeactivity"),
    ("groups", "programmepricetier"),
    ("groups", "programmephoto"),
}


def is_content(model):
    from wagtail.models import Page

    meta = model._meta
    return (
        issubclass(model, Page)
        or meta.app_label in CONTENT_APPS
        or (meta.app_label, meta.model_name) in CONTENT_MODELS
    )


def _content_changed(sender, **kwargs):
    if is_content(sender):
        bump_after_commit()


def _page_changed(sender, **kwargs):
    bump_after_commit()


def connect_signals():
    """Bump the content version whenever editors change what the public pages show."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_unpublished, post_page_move

    post_save.connect(_content_changed, dispatch_uid="tianyuan-content-saved")
    post_delete.connect(_content_changed, dispatch_uid="tianyuan-content-deleted")
    page_published.connect(_page_changed, dispatch_uid="tianyuan-page-published")
    page_unpublished.connect(_page_changed, dispatch_uid="tianyuan-page-unpublished")
    post_page_move.connect(_page_changed, dispatch_uid="tianyuan-page-moved")


class CachedViewRestrictionsMixin:
    """For page models: the view restrictions of a page and its ancestors (two queries that
    Wagtail's ``check_view_restrictions`` hook runs on every request) come from the content
    cache. Adding, removing or editing a restriction, or moving a page, bumps the content version
    (``CONTENT_MODELS``), so a restriction is never missed."""

    def get_view_restrictions(self):
        from wagtail.models import PageViewRestriction

        base = super().get_view_restrictions
        rows = cached(("view-restrictions", self.pk), lambda: list(base()), in_process=True)
        # Still a queryset (Wagtail calls .exists() on it when copying a page), already filled.
        # Most pages have none: an empty queryset then, cheaper to make than a filter by ids.
        if rows:
            restrictions = PageViewRestriction.objects.filter(pk__in=[row.pk for row in rows])
        else:
            restrictions = PageViewRestriction.objects.none()
        restrictions._result_cache = rows
        restrictions._prefetch_done = True
        return restrictions


class ContentMemo:
    """Values that follow from content alone (which site a host name is, which page a path is, a
    menu, a rendered fragment), kept in this process's memory for the current content version:
    asking costs the version, read once per request, and a dictionary look-up, where the shared
    cache costs a file read and an unpickling each time (or a Redis round trip).

    Every edit that could change such a value bumps the version (``connect_signals``), and the
    next request of every process then starts from an empty memo. The values are shared by the
    requests of this process: keep only what nobody changes (a string, a tuple, a list of dicts
    only read, a model row only read). At most ``max_entries`` values of at most ``max_size``
    in all (each value's ``size`` as given to ``set``) are kept; past that the memo starts again.
    A value given a timeout is forgotten after it, as the shared cache would.
    """

    def __init__(self, max_entries=2000, max_size=None):
        self.max_entries = max_entries
        self.max_size = max_size
        # (version, {key: (value, expires_at or None, size)}, [size of all]), replaced as one,
        # so a value never lands under another version.
        self._state = (None, {}, [0])

    def _current(self):
        version = content_version()
        state = self._state
        if state[0] != version:
            state = self._state = (version, {}, [0])
        return state

    def get(self, key, default=None):
        entry = self._current()[1].get(key)
        if entry is None or (entry[1] is not None and entry[1] <= time.monotonic()):
            return default
        return entry[0]

    def set(self, key, value, timeout=None, size=1):
        _version, values, total = self._current()
        if self.max_size is not None and size > self.max_size // 4:
            return  # one huge value would push out many others
        if len(values) >= self.max_entries or (self.max_size is not None and total[0] + size > self.max_size):
            values.clear()
            total[0] = 0
        old = values.get(key)
        if old is not None:
            total[0] -= old[2]
        values[key] = (value, None if timeout is None else time.monotonic() + timeout, size)
        total[0] += size

    def get_or_set(self, key, compute, timeout=None):
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = compute()
            self.set(key, value, timeout)
        return value

    def clear(self):
        self._state = (None, {}, [0])


# Sites, routes and the values of the site's shell (menus, footer, language links).
content_memo = ContentMemo()
# Rendered fragments ({% contentcache %}), bounded by their length.
fragment_memo = ContentMemo(max_entries=2000, max_size=16 * 1024 * 1024)
