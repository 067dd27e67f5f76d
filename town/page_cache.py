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
(and the CSRF cookie with it, as ``CsrfViewMiddleware`` would set it): no visitor ever receives
another visitor's token, and forms keep working without JavaScript. The token is made in the
format Django's check expects (a mask and the secret ciphered with it) from one read of the
system's random source, not 64 draws of ``secrets.choice``: on a hit, the draws were a
noticeable part of the request.

Where it sits: right after SecurityMiddleware and WhiteNoise, so a hit skips the session, locale,
common and CSRF middlewares. What they add to a page (Vary, Content-Language; the CSRF cookie,
which this middleware sets itself) is stored with the page when it is filled and replayed on
each hit; the language they would choose is worked out here by LocaleMiddleware's own rules.

Each process also keeps the pages it served in its own memory (``PAGE_CACHE_LOCAL_BYTES``,
least recently used out first), marked with the shared pages clock (``town.cache.pages_clock``)
read before the page was found: every invalidation moves that clock, so a hit is one small
shared read while nothing has changed, and the shared entry (with its versions and stock tags)
is fetched again as soon as anything has, on every process.

Holds expire with the clock, not with an event, so an entry that shows availability lives at
most ``PAGE_CACHE_STOCK_SECONDS``; others ``PAGE_CACHE_SECONDS``. The town's date is part of the
key, so "this month" and "upcoming" lists turn over at midnight.
"""

import contextvars
import os
import threading
import time
from collections import OrderedDict, namedtuple

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CSRF_TOKEN_LENGTH
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

from .cache import (
    VERSION_KEY,
    content_version,
    move_pages_clock,
    pages_clock,
    remember_version,
    remembered_version,
    versioned_key,
    versions_read_once,
)

PAGES_VERSION_KEY = "tianyuan:pages-version"
STOCK_KEY = "tianyuan:stock:{}"
# "page2": entries hold their expiry time since the copies kept in memory (older ones did not).
ENTRY_KEY = "tianyuan:page2:{}"
# Never a valid token (tokens are letters and digits): replaced on every response.
CSRF_PLACEHOLDER = "@@tianyuan-csrf-token@@"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
STATUS_HEADER = "X-Page-Cache"
# A stored page keeps every header the view and the middlewares inside this one gave it, except
# these, which each response gets anew. (A page that set a cookie is never stored.)
UNKEPT = {"content-length", STATUS_HEADER.lower()}
CACHEABLE_TYPES = ("text/html", "application/json")

# Wagtail serves every page under this URL name; "search" is the search page; "scenic_now" the
# "right now" page a crowd refreshes (cleared by each parking count through its stock tag).
CACHEABLE_URL_NAMES = {"wagtail_serve", "search", "scenic_now"}

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


def stock_version(kind, obj_id="*"):
    """The current version of a stock tag, for a fragment keyed by it (a bump makes it a miss).
    Read it before the values the fragment shows, as ``shows`` is called before the query."""
    tag = stock_tag(kind, obj_id)
    return _versions([tag])[tag]


def cached_showing(parts, compute, timeout=None, *, fresh=None):
    """``compute()`` remembered like ``town.cache.cached`` (content and pages versions and the
    town's date in the key), for values that show availability: the stock tags read while
    computing are kept with the value, a booking that bumps one of them makes it a miss, and a
    hit passes them on to the page being rendered (which is then cleared by the same booking).

    Lives at most ``PAGE_CACHE_STOCK_SECONDS``: holds expire and tours start with the clock.
    ``fresh(value)``, when given, says whether a remembered value still holds (False: computed
    again), for values that know when they turn stale (the next tour's start)."""
    key = versioned_key(*parts, timezone.localdate().isoformat(), f"p{_pages_version()}")
    hit = cache.get(key)
    if hit is not None:
        value, tags = hit
        if (not tags or _current(tags) == tags) and (fresh is None or fresh(value)):
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
        move_pages_clock()

    bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump)


def bump_pages_version():
    def bump():
        remember_version(PAGES_VERSION_KEY, None)  # this request reads the new one
        cache.set(PAGES_VERSION_KEY, time.time_ns(), timeout=None)
        move_pages_clock()

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
    """The pages version (one cache read per request, as the content version)."""
    return remembered_version(PAGES_VERSION_KEY, _read_pages_version)


def _read_pages_version():
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


def _anonymous_read(request):
    """A read by a visitor with no session, which the middlewares a hit skips would let through."""
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
    # What CommonMiddleware refuses or redirects before any view, it still does.
    if settings.PREPEND_WWW:
        return False
    if settings.DISALLOWED_USER_AGENTS:
        agent = request.META.get("HTTP_USER_AGENT", "")
        if any(pattern.search(agent) for pattern in settings.DISALLOWED_USER_AGENTS):
            return False
    return True


def _cacheable_view(request, language):
    if _is_public_api(request.path_info):
        return True
    # Resolved in the request's language, as it will be: i18n_patterns match "/en/" only while
    # English is active, and LocaleMiddleware, which activates it, has not run yet.
    with translation.override(language):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
    return match.url_name in CACHEABLE_URL_NAMES


def api_language(request):
    """The language the JSON API answers ``request`` in: ``?lang=`` when it names a language of
    the site (a page asks for its own: the cookie or the phone's Accept-Language may say another),
    else the language cookie, then Accept-Language; the default language when none says."""
    asked = request.GET.get("lang") or ""
    if asked:
        try:
            return translation.get_supported_language_variant(asked)
        except LookupError:
            pass
    return translation.get_language_from_request(request)


def _request_language(request):
    """The language this request will be answered in, worked out without activating it: for a
    page, LocaleMiddleware's rules (Django 5.2); with our URLs (i18n_patterns, no prefix for
    zh-hans) the path's prefix, or zh-hans, never the visitor's cookie or Accept-Language. A
    page is stored only if the language it was rendered in (``request.LANGUAGE_CODE``) is this
    one."""
    if _is_public_api(request.path_info):
        # The API answers in the caller's language (?lang=, language cookie, Accept-Language), as
        # config.api.in_request_language picks it, whatever LocaleMiddleware activated.
        return api_language(request)
    urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
    i18n_patterns_used, prefixed_default_language = is_language_prefix_patterns_used(urlconf)
    from_path = translation.get_language_from_path(request.path_info)
    if not from_path and i18n_patterns_used and not prefixed_default_language:
        return settings.LANGUAGE_CODE
    return translation.get_language_from_request(request, check_path=i18n_patterns_used)


def _entry_key(request, language):
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


# --- the visitor's CSRF token, as CsrfViewMiddleware would make and set it ---------------------

_CHARS = CSRF_ALLOWED_CHARS
_INDEX = {char: index for index, char in enumerate(_CHARS)}
# Random bytes below this map evenly onto the 62 characters; the few above are dropped.
_EVEN = 256 - 256 % len(_CHARS)
_TO_CHAR = bytes(ord(_CHARS[byte % len(_CHARS)]) if byte < _EVEN else 0 for byte in range(256))
_UNEVEN = bytes(range(_EVEN, 256))


def _random_chars(count):
    """``count`` characters drawn evenly from the token alphabet, from one os.urandom read
    (rarely two): the bytes that would favour some characters are dropped, not folded."""
    chars = b""
    while len(chars) < count:
        chars += os.urandom(count + 16).translate(_TO_CHAR, _UNEVEN)
    return chars[:count].decode()


def _valid_token_chars(value):
    return value.isascii() and value.isalnum()


def _unmask(token):
    mask, cipher = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    return "".join(_CHARS[_INDEX[c] - _INDEX[m]] for c, m in zip(cipher, mask, strict=True))


def _visitor_secret(request):
    """The secret of the visitor's CSRF cookie (Django's rules: 32 characters, or 64 masked),
    or None: the visitor gets a new one."""
    secret = request.META.get("CSRF_COOKIE")  # CsrfViewMiddleware's, on a miss
    if secret:
        return secret
    cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if _valid_token_chars(cookie):
        if len(cookie) == CSRF_SECRET_LENGTH:
            return cookie
        if len(cookie) == CSRF_TOKEN_LENGTH:
            return _unmask(cookie)
    return None


# Each (secret character, mask character) pair's cipher character, looked up once per pair
# instead of two index lookups, an addition and a modulo (the token is made on every hit).
_CIPHER = {(s, m): _CHARS[(_INDEX[s] + _INDEX[m]) % len(_CHARS)] for s in _CHARS for m in _CHARS}


def csrf_token_for(secret=None):
    """(secret, token): a masked token for ``secret`` (a new secret when None), in the format
    ``CsrfViewMiddleware`` checks: a random mask, then the secret ciphered with it."""
    drawn = _random_chars(CSRF_SECRET_LENGTH if secret else 2 * CSRF_SECRET_LENGTH)
    mask = drawn[:CSRF_SECRET_LENGTH]
    secret = secret or drawn[CSRF_SECRET_LENGTH:]
    cipher = "".join(map(_CIPHER.__getitem__, zip(secret, mask, strict=True)))
    return secret, mask + cipher


class _CsrfCookies:
    """The CSRF cookie as ``HttpResponse.set_cookie`` makes it (the same attributes, "expires"
    from the max age), made by copying one prepared cookie: the expiry date is formatted once a
    second, not once a request. The settings are read when the first cookie is made, so tests'
    overrides are followed through ``reset``."""

    def __init__(self):
        self.reset()

    def reset(self, **kwargs):
        self._prepared = None
        self._second = None

    def cookie(self, secret):
        now = int(time.time())
        if self._prepared is None:
            probe = HttpResponse()
            probe.set_cookie(
                settings.CSRF_COOKIE_NAME,
                "",
                max_age=settings.CSRF_COOKIE_AGE,
                domain=settings.CSRF_COOKIE_DOMAIN,
                path=settings.CSRF_COOKIE_PATH,
                secure=settings.CSRF_COOKIE_SECURE,
                httponly=settings.CSRF_COOKIE_HTTPONLY,
                samesite=settings.CSRF_COOKIE_SAMESITE,
            )
            self._prepared = probe.cookies[settings.CSRF_COOKIE_NAME]
            self._second = None
        if self._second != now:
            if settings.CSRF_COOKIE_AGE is not None:
                self._prepared["expires"] = http_date(now + settings.CSRF_COOKIE_AGE)
            self._second = now
        morsel = self._prepared.copy()
        # Tokens are letters and digits only: nothing to quote.
        morsel.set(settings.CSRF_COOKIE_NAME, secret, secret)
        return morsel


_csrf_cookies = _CsrfCookies()
setting_changed.connect(_csrf_cookies.reset)


def _set_csrf_cookie(request, response, secret):
    """As CsrfViewMiddleware sets it after ``get_token`` (which renews the cookie's age too)."""
    request.META["CSRF_COOKIE"] = secret
    response.cookies[settings.CSRF_COOKIE_NAME] = _csrf_cookies.cookie(secret)
    # Most pages vary by Cookie already (the session was read when they were rendered).
    if not any(part.strip().lower() in ("cookie", "*") for part in response.get("Vary", "").split(",")):
        patch_vary_headers(response, ("Cookie",))


def _finish(request, response, status, parts=None):
    """Put the visitor's own CSRF token where the placeholder is, with its cookie. ``parts``: the
    body already split at the placeholders (a kept page)."""
    if not response.streaming:
        if parts is None:
            parts = response.content.split(_PLACEHOLDER_BYTES)
        if len(parts) > 1:
            secret, token = csrf_token_for(_visitor_secret(request))
            response.content = token.encode().join(parts)
            if settings.CSRF_COOKIE_NAME not in response.cookies:
                _set_csrf_cookie(request, response, secret)
            # The page now carries this visitor's token: no shared cache (a CDN) may keep it.
            response["Cache-Control"] = "private"
        # CommonMiddleware's length was taken before the token went in (a miss), or never (a hit).
        response["Content-Length"] = str(len(response.content))
    response[STATUS_HEADER] = status
    return response


# --- the copies each process keeps --------------------------------------------------------------

# The body split at the CSRF placeholders once, for each hit to join with the visitor's token.
KeptPage = namedtuple("KeptPage", "clock expires_at parts status headers size")


class LocalPages:
    """This process's copies of stored pages, bounded in bytes, the least recently used dropped
    first. A copy answers only under the pages clock it was found under, and until the shared
    entry's own expiry."""

    def __init__(self):
        self._pages = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # threaded servers (runserver, gthread workers)

    def get(self, key, clock):
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if page.clock != clock or page.expires_at <= time.time():
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key, clock, body, status, headers, expires_at):
        limit = settings.PAGE_CACHE_LOCAL_BYTES
        with self._lock:
            if key in self._pages:
                self._drop(key)
            if len(body) > limit // 4:  # one huge page would push out many others
                return
            parts = tuple(body.split(_PLACEHOLDER_BYTES))
            self._pages[key] = KeptPage(clock, expires_at, parts, status, headers, len(body))
            self._bytes += len(body)
            while self._bytes > limit:
                self._drop(next(iter(self._pages)))

    def clear(self):
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def __len__(self):
        return len(self._pages)

    def _drop(self, key):
        self._bytes -= self._pages.pop(key).size


local_pages = LocalPages()


def _response(body, status, headers):
    response = HttpResponse(body, status=status)
    for name, value in headers:
        response[name] = value
    return response


class AnonymousPageCacheMiddleware:
    """Place right after SecurityMiddleware and WhiteNoise (see the module's docstring): a hit
    then skips the session, locale, common and CSRF middlewares."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Every request, stored or not: the shared versions are read once while serving it.
        with versions_read_once():
            return self._serve(request)

    def _serve(self, request):
        if not _anonymous_read(request):
            return self.get_response(request)
        language = _request_language(request)
        base_key = _entry_key(request, language)
        # The clock first, the versions after it (see ``move_pages_clock``).
        clock = pages_clock()
        kept = local_pages.get(base_key, clock)
        if kept is not None:
            # Kept only for what was cacheable: no need to resolve the URL again.
            body = kept.parts[0] if len(kept.parts) == 1 else b""
            return _finish(request, _response(body, kept.status, kept.headers), "hit", kept.parts)
        if not _cacheable_view(request, language):
            return self.get_response(request)

        # Both versions in one cache round trip (each is set up on first use when missing).
        versions = cache.get_many([VERSION_KEY, PAGES_VERSION_KEY])
        content = versions.get(VERSION_KEY) or content_version()
        pages = versions.get(PAGES_VERSION_KEY) or _pages_version()
        # The page renders under the versions its entry is stored under.
        remember_version(VERSION_KEY, content)
        remember_version(PAGES_VERSION_KEY, pages)
        key = f"{base_key}|c{content}|p{pages}"
        entry = cache.get(key)
        if entry is not None:
            body, status, headers, tags, expires_at = entry
            if (not tags or _current(tags) == tags) and expires_at > time.time():
                local_pages.put(base_key, clock, body, status, headers, expires_at)
                return _finish(request, _response(body, status, headers), "hit")

        request._page_cache_collecting = True
        token = _collecting.set({})
        try:
            response = self.get_response(request)
            tags = _collecting.get()
        finally:
            _collecting.reset(token)
            request._page_cache_collecting = False
        # Rendered in another language than the key says: kept by nobody (LocaleMiddleware's
        # rules changed under ``_request_language``).
        if _storable(response) and getattr(request, "LANGUAGE_CODE", None) == language:
            headers = [(name, value) for name, value in response.items() if name.lower() not in UNKEPT]
            timeout = settings.PAGE_CACHE_STOCK_SECONDS if tags else settings.PAGE_CACHE_SECONDS
            expires_at = time.time() + timeout
            cache.set(key, (response.content, response.status_code, headers, tags, expires_at), timeout)
            local_pages.put(base_key, clock, response.content, response.status_code, headers, expires_at)
        return _finish(request, response, "miss")


def _current(tags):
    keys = {STOCK_KEY.format(tag): tag for tag in tags}
    found = cache.get_many(list(keys))
    return {keys[key]: value for key, value in found.items()}


# The selling apps whose rows are not content (``town.cache.CONTENT_APPS``): room types, rate
# rules, closures, calendars, producers. Pages show them; the fragment caches do not.
PAGE_APPS = {"homestays", "products", "live"}


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
