"""The anonymous full-page cache: public pages and public API reads, rendered once and served
to every visitor who has no session (no account logged in, no basket, no pending message).

Why our own middleware rather than Django's cache middleware or a package: a page is fresh only
while three things have not changed, and each needs its own kind of key.

- What editors change (pages published, unpublished, moved, snippets, images, settings): the
  shared content version (``town.cache``) is part of every page's key. A publish clears the
  page, the listings and menus that show it, and everything else: publishes are rare, and a
  listing, menu or search result anywhere may show the page.
- Prices, rooms, closures and other rows of the selling apps that are not pages: the pages
  version below, bumped by their saves (``connect_signals``), so the fragment caches (which
  never hold them) are left alone.
- Availability ("only 1 left", sold out), which changes with every booking: a page records the
  stock tags it read while rendering (``shows``: ``"product:12"`` for one product,
  ``"product:*"`` for a listing of products) with their versions; a booking, cancellation or
  stock change bumps the tags of what it touched (``bump_stock``), and an entry whose tags
  moved is a miss. So a booking clears the pages showing that item, not the whole site.

The versions live in the default cache, which every process shares (Redis when REDIS_URL is
set), so a booking on one host clears the page on all of them.

CSRF: a page is rendered for the cache with a placeholder in place of the token
(``context_processor``), and each response, hit or miss, gets the visitor's own token put in
(and the CSRF cookie with it): no visitor ever receives another visitor's token, and forms keep
working without JavaScript.

Holds expire with the clock, not with an event, so an entry that shows availability lives at
most ``PAGE_CACHE_STOCK_SECONDS``; others ``PAGE_CACHE_SECONDS``. The town's date is part of the
key, so "this month" and "upcoming" lists turn over at midnight.
"""

import contextvars
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils import timezone

from .cache import VERSION_KEY, content_version, versioned_key

PAGES_VERSION_KEY = "tianyuan:pages-version"
STOCK_KEY = "tianyuan:stock:{}"
ENTRY_KEY = "tianyuan:page:{}"
# Never a valid token (tokens are letters and digits): replaced on every response.
CSRF_PLACEHOLDER = "@@tianyuan-csrf-token@@"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
STATUS_HEADER = "X-Page-Cache"
# Headers a cached response keeps; Set-Cookie never (a stored page set no cookie anyway).
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Content-Security-Policy", "X-Frame-Options")
CACHEABLE_TYPES = ("text/html", "application/json")

# Wagtail serves every page under this URL name; "search" is the search page.
CACHEABLE_URL_NAMES = {"wagtail_serve", "search"}

# More things than this in one read are tagged by their kind instead (see ``shows``).
MAX_ITEM_TAGS = 12

# The stock tags read while rendering this request's page (None: not collecting).
_collecting = contextvars.ContextVar("tianyuan_page_tags", default=None)


def stock_tag(kind, obj_id="*"):
    """``"product:12"`` for one thing; ``"product:*"`` for listings of the kind."""
    return f"{kind}:{obj_id}"


def shows(*tags):
    """Say that the page being rendered shows the availability behind ``tags``.

    Call it before the query that reads the claims: the versions are taken now, so a booking
    committed between this call and the query makes the stored page stale at once."""
    collected = _collecting.get()
    if collected is None or not tags:
        return
    if len(tags) > MAX_ITEM_TAGS:
        # A listing of many things (every tour slot of a month): one tag for their kind, which
        # every booking of the kind bumps, keeps a hit to a few cache reads.
        tags = {stock_tag(tag.split(":", 1)[0]) for tag in tags}
    missing = [tag for tag in tags if tag not in collected]
    if missing:
        collected.update(_versions(missing))


def cached_showing(parts, compute, timeout=None):
    """``compute()`` remembered like ``town.cache.cached`` (content and pages versions and the
    town's date in the key), for values that show availability: the stock tags read while
    computing are kept with the value, a booking that bumps one of them makes it a miss, and a
    hit passes them on to the page being rendered (which is then cleared by the same booking).

    Lives at most ``PAGE_CACHE_STOCK_SECONDS``: holds expire and tours start with the clock."""
    key = versioned_key(*parts, timezone.localdate().isoformat(), f"p{_pages_version()}")
    hit = cache.get(key)
    if hit is not None:
        value, tags = hit
        if not tags or _current(tags) == tags:
            _merge(tags)
            return value
    outer = _collecting.get()
    token = _collecting.set({})
    try:
        value = compute()
        tags = _collecting.get()
    finally:
        _collecting.reset(token)
    if outer is not None:
        _merge(tags)
    cache.set(key, (value, tags), timeout or settings.PAGE_CACHE_STOCK_SECONDS)
    return value


def _merge(tags):
    """Add ``tags`` (with the versions they were read at) to the page being rendered, if any."""
    collected = _collecting.get()
    if collected is None:
        return
    for tag, version in tags.items():
        collected.setdefault(tag, version)


def bump_stock(kind, obj_ids=()):
    """Clear the pages showing these things' availability (and the listings of their kind), now
    and again after the transaction commits (a page rendered from the old rows in between would
    otherwise be stored under the new versions)."""
    keys = [STOCK_KEY.format(stock_tag(kind))]
    keys += [STOCK_KEY.format(stock_tag(kind, obj_id)) for obj_id in obj_ids]

    def bump():
        stamp = time.time_ns()
        cache.set_many(dict.fromkeys(keys, stamp), timeout=None)

    bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump)


def bump_pages_version():
    def bump():
        cache.set(PAGES_VERSION_KEY, time.time_ns(), timeout=None)

    bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump)


def _versions(tags):
    """{tag: version}; a tag never bumped gets one now, so a later bump always differs from it."""
    keys = {STOCK_KEY.format(tag): tag for tag in tags}
    found = cache.get_many(list(keys))
    absent = {key: time.time_ns() for key in keys if key not in found}
    if absent:
        for key, stamp in absent.items():
            cache.add(key, stamp, timeout=None)
        found.update(cache.get_many(list(absent)))
    return {keys[key]: value for key, value in found.items()}


def _pages_version():
    version = cache.get(PAGES_VERSION_KEY)
    if version is None:
        cache.add(PAGES_VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(PAGES_VERSION_KEY)
    return version


def context_processor(request):
    """While a page renders for the cache, ``{% csrf_token %}`` writes the placeholder."""
    if getattr(request, "_page_cache_collecting", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


def _is_public_api(path):
    return any(path.startswith(prefix) for prefix in settings.PAGE_CACHE_API_PREFIXES)


def _cacheable_request(request):
    if not getattr(settings, "PAGE_CACHE_ENABLED", False):
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    # A session means an account, a basket or a message: that visitor's page is their own.
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    if _is_public_api(request.path_info):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.url_name in CACHEABLE_URL_NAMES


def _entry_key(request):
    language = getattr(request, "LANGUAGE_CODE", "")
    today = timezone.localdate().isoformat()
    # The release: pages stored by the code (templates, hashed static names) of an earlier deploy
    # are not served by the next one.
    release = settings.PAGE_CACHE_RELEASE
    return ENTRY_KEY.format(
        "|".join([release, request.scheme, request.get_host(), language, today, request.get_full_path()])
    )


def _storable(response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not response.get("Content-Type", "").startswith(CACHEABLE_TYPES):
        return False
    control = response.get("Cache-Control", "")
    return not any(word in control for word in ("private", "no-store", "no-cache"))


def _finish(request, response, status):
    """Put the visitor's own CSRF token where the placeholder is (CsrfViewMiddleware, outside
    this one, then sets the cookie the token belongs to)."""
    if _PLACEHOLDER_BYTES in response.content:
        response.content = response.content.replace(_PLACEHOLDER_BYTES, get_token(request).encode())
        # The page now carries this visitor's token: no shared cache (a CDN) may keep it.
        response["Cache-Control"] = "private"
    response[STATUS_HEADER] = status
    return response


class AnonymousPageCacheMiddleware:
    """Place after CsrfViewMiddleware (which must see the token this middleware hands out) and
    LocaleMiddleware (the language is part of the key)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        # Both versions in one cache round trip (each is set up on first use when missing).
        versions = cache.get_many([VERSION_KEY, PAGES_VERSION_KEY])
        content = versions.get(VERSION_KEY) or content_version()
        pages = versions.get(PAGES_VERSION_KEY) or _pages_version()
        key = f"{_entry_key(request)}|c{content}|p{pages}"
        entry = cache.get(key)
        if entry is not None:
            body, status, headers, tags = entry
            if not tags or _current(tags) == tags:
                response = HttpResponse(body, status=status)
                for name, value in headers:
                    response[name] = value
                return _finish(request, response, "hit")

        request._page_cache_collecting = True
        token = _collecting.set({})
        try:
            response = self.get_response(request)
            tags = _collecting.get()
        finally:
            _collecting.reset(token)
            request._page_cache_collecting = False
        if _storable(response):
            headers = [(name, response[name]) for name in KEPT_HEADERS if name in response]
            timeout = settings.PAGE_CACHE_STOCK_SECONDS if tags else settings.PAGE_CACHE_SECONDS
            cache.set(key, (response.content, response.status_code, headers, tags), timeout)
        return _finish(request, response, "miss")


def _current(tags):
    keys = {STOCK_KEY.format(tag): tag for tag in tags}
    found = cache.get_many(list(keys))
    return {keys[key]: value for key, value in found.items()}


# The selling apps whose rows are not content (``town.cache.CONTENT_APPS``): room types, rate
# rules, closures, calendars, producers. Pages show them; the fragment caches do not.
PAGE_APPS = {"homestays", "products"}


def _row_changed(sender, **kwargs):
    from .cache import is_content

    if sender._meta.app_label in PAGE_APPS and not is_content(sender):
        bump_pages_version()


def _purge_listings(pages):
    """Purge a CDN (``WAGTAILFRONTENDCACHE``) of the pages that list these: Wagtail's own handler
    purges only the published page itself."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    batch = PurgeBatch()
    for page in pages:
        if page is not None and not page.is_root():
            batch.add_page(page.specific_deferred)
    batch.purge()


def _page_published(sender, instance, **kwargs):
    _purge_listings([instance.get_parent()])


def _page_moved(sender, instance, parent_page_before, parent_page_after, **kwargs):
    # Wagtail purges nothing on a move: the page's new and old addresses' listings, and itself.
    _purge_listings([instance, parent_page_before, parent_page_after])


def connect_signals():
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_unpublished, post_page_move

    post_save.connect(_row_changed, dispatch_uid="tianyuan-page-row-saved")
    post_delete.connect(_row_changed, dispatch_uid="tianyuan-page-row-deleted")
    page_published.connect(_page_published, dispatch_uid="tianyuan-page-purge-published")
    page_unpublished.connect(_page_published, dispatch_uid="tianyuan-page-purge-unpublished")
    post_page_move.connect(_page_moved, dispatch_uid="tianyuan-page-purge-moved")
