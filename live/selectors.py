"""Reads of the live sessions for pages and the API, in a fixed number of queries."""

from datetime import timedelta

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language

from products.selectors import CARD_RENDITIONS, localize_products, product_url, shop_page, with_photos
from town.page_cache import cached_showing, shows, stock_tag

from .inventory import LIVE, units_left
from .models import LiveSession, PinnedProduct, Status

PAST_DAYS = 90


def _with_pins(sessions):
    return sessions.select_related("producer").prefetch_related(
        Prefetch(
            "pins",
            queryset=PinnedProduct.objects.select_related(
                "product",
                "product__producer",
                "product__origin_village",
                "product__producer__village",
                "session",
            ).order_by("sort_order", "pk"),
        )
    )


def _fill(sessions, now):
    """Each session's status, its pins' units left, photos and product addresses (a fixed number
    of queries, whatever the pins)."""
    sessions = list(sessions)
    pins = [pin for session in sessions for pin in session.pins.all()]
    left = units_left(pins, now=now)
    if pins:
        with_photos([pin.product for pin in pins], CARD_RENDITIONS)
    products = localize_products([pin.product for pin in pins]) if pins else []
    shop = shop_page() if pins else None
    for pin, product in zip(pins, products, strict=True):
        pin.units_left = left[pin.pk]
        pin.product_shown = product
        pin.product_url = product_url(pin.product, shop) if shop else ""
    for session in sessions:
        session.state = session.status(now)
    return sessions


def session_index(now=None):
    """{"live": [...], "upcoming": [...], "past": [...]} of approved sessions (past ones: 90 days)."""
    now = now or timezone.now()
    shows(stock_tag(LIVE))
    sessions = _fill(
        _with_pins(LiveSession.objects.public().filter(ends_at__gt=now - timedelta(days=PAST_DAYS))), now
    )
    groups = {Status.LIVE: [], Status.UPCOMING: [], Status.ENDED: []}
    for session in sessions:
        groups[session.state].append(session)
    groups[Status.ENDED].reverse()
    return {"live": groups[Status.LIVE], "upcoming": groups[Status.UPCOMING], "past": groups[Status.ENDED]}


def session_detail(pk, *, now=None, include_unapproved=False):
    now = now or timezone.now()
    shows(stock_tag(LIVE))
    sessions = LiveSession.objects.all() if include_unapproved else LiveSession.objects.public()
    found = _fill(_with_pins(sessions.filter(pk=pk)), now)
    return found[0] if found else None


def _next_change(session, now):
    """When the session's page changes by itself: its start, then its end (None once ended)."""
    if now < session.starts_at:
        return session.starts_at
    if now < session.ends_at:
        return session.ends_at
    return None


def session_for_page(pk, *, include_unapproved=False):
    """``session_detail`` for the session's page, remembered with the units it shows
    (``cached_showing``: a sale, a pin or a session change clears it) until the session starts
    or ends, when its prices, buttons and stock change."""

    def compute():
        now = timezone.now()
        session = session_detail(pk, now=now, include_unapproved=include_unapproved)
        return session, _next_change(session, now) if session is not None else None

    session, _changes_at = cached_showing(
        ("live-session", pk, include_unapproved, get_language()),
        compute,
        fresh=lambda value: value[1] is None or timezone.now() < value[1],
    )
    return session


def current_sessions(now=None, *, limit=3):
    """The approved sessions live now or starting soonest (the shop's strip), remembered until a
    session or a pin changes (no query on a warm shop page)."""
    now = now or timezone.now()

    def compute():
        shows(stock_tag(LIVE))
        # A little ahead, so one ending in the next minute does not hide the next one.
        found = LiveSession.objects.public().not_ended(now).select_related("producer")
        return list(found[: limit + 1])

    sessions = [s for s in cached_showing(("live-strip", limit), compute) if s.ends_at > now][:limit]
    for session in sessions:
        session.state = session.status(now)
    return sessions


def sessions_pinning(product_id, now=None):
    """The approved, not ended sessions that pin this product, with the pin's session price;
    remembered like ``current_sessions``."""
    now = now or timezone.now()

    def compute():
        shows(stock_tag(LIVE))
        return list(
            PinnedProduct.objects.filter(
                product_id=product_id, session__approved=True, session__ends_at__gt=now
            )
            .select_related("session")
            .order_by("session__starts_at")
        )

    pins = [p for p in cached_showing(("live-pins", product_id), compute) if p.session.ends_at > now]
    for pin in pins:
        pin.session.state = pin.session.status(now)
    return pins
