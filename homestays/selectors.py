"""Reads of the homestays app: availability search, listings, calendars, guest checks.

Every function here answers in a fixed number of queries whatever the number of homestays: it
loads room types, rate rules and live claims for the whole candidate set at once and does the
night-by-night arithmetic in Python.

Inventory lives on the default-locale room types; a translated page shows its own texts but
sells the rooms of the page it was translated from (matched by translation key).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Min
from wagtail.models import Locale

from accounts.roles import EDITORS
from orders.exceptions import ReservationError, SoldOut
from orders.models import Reservation, ReservationKind, ReservationStatus
from orders.reservations import local_today  # noqa: F401 (the town's today, re-exported for forms)
from orders.selectors import claimed_units

from . import pricing
from .inventory import rules_for
from .models import HomestayPage, RoomType

FEW_LEFT = 2  # "few left" on the calendar when this many units or fewer remain


@dataclass
class AvailableRoom:
    homestay: HomestayPage  # the page to show and link to (translated when there is one)
    room_type: RoomType  # the inventory row (default locale): its pk is what gets booked
    quote: pricing.Quote
    available_units: int
    room_type_name: str = ""

    @property
    def total_fen(self):
        return self.quote.total_fen

    @property
    def nights(self):
        return self.quote.night_count


@dataclass
class CalendarDay:
    date: date
    available_units: int
    price_fen: int | None
    closed: bool
    units: int

    @property
    def state(self):
        if self.closed:
            return "closed"
        if self.available_units <= 0:
            return "full"
        if self.available_units <= FEW_LEFT and self.available_units < self.units:
            return "few"
        return "free"


@dataclass
class RoomCalendar:
    room_type: RoomType
    days: list[CalendarDay] = field(default_factory=list)


def _default_locale():
    return Locale.get_default()


def _candidate_room_types(default_locale, guests, rooms=1, village=None, amenities=()):
    qs = (
        RoomType.objects.filter(
            locale=default_locale,
            page__live=True,
            page__locale=default_locale,
            max_guests__gte=_ceil_div(guests, rooms),
        )
        .select_related("page", "page__locale", "page__village", "photo")
        .order_by("page__title", "sort_order", "pk")
    )
    if village is not None:
        # A village chosen on a translated page is the translation of the one the page links.
        qs = qs.filter(page__village__translation_key=village.translation_key)
    if amenities:
        codes = sorted({getattr(a, "code", a) for a in amenities})
        with_all = (
            HomestayPage.objects.filter(amenities__code__in=codes)
            .values("pk")
            .annotate(matched=Count("amenities", distinct=True))
            .filter(matched=len(codes))
            .values("pk")
        )
        qs = qs.filter(page_id__in=with_all)
    return list(qs)


def _ceil_div(a, b):
    return -(-a // b)


def _translations(pages, room_types, locale, default_locale):
    """{page translation_key: translated live page}, {room type translation_key: name}: 2 queries."""
    if locale is None or locale.pk == default_locale.pk:
        return {}, {}
    page_keys = {p.translation_key for p in pages}
    translated_pages = {
        p.translation_key: p
        for p in HomestayPage.objects.live().filter(locale=locale, translation_key__in=page_keys)
    }
    names = dict(
        RoomType.objects.filter(
            locale=locale, translation_key__in={rt.translation_key for rt in room_types}
        ).values_list("translation_key", "name")
    )
    return translated_pages, names


def available_room_types(
    check_in,
    check_out,
    guests,
    *,
    village=None,
    price_min=None,
    price_max=None,
    amenities=(),
    locale=None,
    rooms=1,
    now=None,
):
    """Room types free on every night of [check_in, check_out) for ``guests``, cheapest first.

    ``price_min``/``price_max`` (fen) bound the average price per night of the stay.
    """
    pricing.check_stay_dates(check_in, check_out)
    default_locale = _default_locale()
    room_types = _candidate_room_types(default_locale, guests, rooms, village, amenities)
    if not room_types:
        return []
    ids = [rt.pk for rt in room_types]
    # Each room type's rules apart: pricing scans the list it is given, once per night.
    rules = defaultdict(list)
    for rule in rules_for(ids, check_in, check_out):
        rules[rule.room_type_id].append(rule)
    claimed = claimed_units(ReservationKind.STAY, ids, check_in, check_out, now=now)
    translated_pages, names = _translations(
        [rt.page for rt in room_types], room_types, locale, default_locale
    )

    results = []
    for rt in room_types:
        try:
            quote = pricing.quote(rt, check_in, check_out, rules[rt.pk])
        except ReservationError:
            continue
        free = free_rooms(rt, quote.nights, claimed)
        if free < rooms:
            continue
        per_night = quote.total_fen // quote.night_count
        if price_min is not None and per_night < price_min:
            continue
        if price_max is not None and per_night > price_max:
            continue
        page = translated_pages.get(rt.page.translation_key, rt.page)
        results.append(AvailableRoom(page, rt, quote, free, names.get(rt.translation_key, rt.name)))
    results.sort(key=lambda r: (r.total_fen, r.homestay.title, r.room_type.pk))
    return results


def homestay_listing(*, locale=None, village=None, amenities=()):
    """Live homestays in ``locale`` with their lowest base price ("from ¥X/night"): 2 queries."""
    default_locale = _default_locale()
    locale = locale or default_locale
    pages = (
        HomestayPage.objects.live()
        .filter(locale=locale)
        .select_related("village", "locale")
        .order_by("title")
    )
    if village is not None:
        pages = pages.filter(village__translation_key=village.translation_key)
    if amenities:
        for code in sorted({getattr(a, "code", a) for a in amenities}):
            pages = pages.filter(amenities__code=code)
    pages = list(pages.distinct())
    from_prices = dict(
        RoomType.objects.filter(
            locale=default_locale,
            page__live=True,
            page__translation_key__in=[p.translation_key for p in pages],
        )
        .values_list("page__translation_key")
        .annotate(lowest=Min("base_price_fen"))
    )
    for page in pages:
        page.from_price_fen = from_prices.get(page.translation_key)
    return pages


def room_calendars(homestay, start, end, *, now=None):
    """Per room type, per night in [start, end): units left, price, closed: 3 queries."""
    room_types = list(RoomType.objects.canonical_for(homestay))
    ids = [rt.pk for rt in room_types]
    rules = rules_for(ids, start, end) if ids else []
    claimed = claimed_units(ReservationKind.STAY, ids, start, end, now=now) if ids else {}
    nights = pricing.nights_between(start, end)
    calendars = []
    for rt in room_types:
        days = []
        for night in nights:
            price = pricing.night_price(rt, night, rules)
            closed = price is None
            left = 0 if closed else max(rt.units - claimed.get((rt.pk, night), 0), 0)
            days.append(CalendarDay(night, left, price, closed, rt.units))
        calendars.append(RoomCalendar(rt, days))
    return calendars


def free_rooms(room_type, nights, claimed) -> int:
    """Rooms of ``room_type`` free on every one of ``nights`` (NightPrices of a quote), given the
    live ``claimed`` units per (room type, night) from ``claimed_units``."""
    return min(room_type.units - claimed.get((room_type.pk, n.night), 0) for n in nights)


def quote_stays(room_types, check_in, check_out, *, rooms=1, now=None):
    """{room type pk: Quote or the ReservationError that says why not} for one stay in each of
    ``room_types``: two queries however many room types (a homestay page prices all its rooms)."""
    ids = [rt.pk for rt in room_types]
    rules = defaultdict(list)
    for rule in rules_for(ids, check_in, check_out):
        rules[rule.room_type_id].append(rule)
    claimed = claimed_units(ReservationKind.STAY, ids, check_in, check_out, now=now)
    result = {}
    for rt in room_types:
        try:
            quote = pricing.quote(rt, check_in, check_out, rules[rt.pk])
            if free_rooms(rt, quote.nights, claimed) < rooms:
                raise SoldOut()
            result[rt.pk] = quote
        except ReservationError as exc:
            result[rt.pk] = exc
    return result


def guest_has_confirmed_stay(user, homestay) -> bool:
    """True when ``user`` holds a confirmed stay in one of this homestay's rooms."""
    if user is None or not user.is_authenticated:
        return False
    return Reservation.objects.filter(
        kind=ReservationKind.STAY,
        status=ReservationStatus.CONFIRMED,
        holder=user,
        object_id__in=RoomType.objects.canonical_for(homestay).values("pk"),
    ).exists()


def month_range(month_start):
    """[first day of the month, first day of the next month)."""
    next_month = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return month_start, next_month


def manageable_homestays(user):
    """Homestays whose bookings ``user`` may see: all for the tourism office, else their own."""
    if user.is_superuser or user.groups.filter(name=EDITORS).exists():
        return HomestayPage.objects.all()
    return HomestayPage.objects.filter(host=user)
