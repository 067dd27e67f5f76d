"""Reads of the homestays app: availability search, listings, calendars, guest checks.

Every function here answers in a fixed number of queries whatever the number of homestays. The
availability search filters, sorts and paginates in SQL (``fitting_room_types``): in the tourism
office's order it walks the homestays in the page tree's order, looks at each one's rules and
claims from indexes led by the room type, and stops once COUNT_CAP + 1 are found, so its cost does
not grow with the town ("more than 500"); by price or distance it looks at every homestay. Then
it loads and prices only the page shown with ``pricing.quote``.

Inventory lives on the default-locale room types; a translated page shows its own texts but
sells the rooms of the page it was translated from (matched by translation key).
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Cast

from accounts.roles import EDITORS
from orders.exceptions import ReservationError, SoldOut
from orders.models import Reservation, ReservationKind, ReservationStatus
from orders.reservations import local_today  # noqa: F401 (the town's today, re-exported for forms)
from orders.selectors import claimed_units, most_claimed_on_a_night
from town import geo
from town.images import images_with_renditions
from town.translations import default_locale, localize_villages

from . import pricing
from .inventory import rules_for
from .models import HomestayGalleryImage, HomestayPage, RoomType

FEW_LEFT = 2  # "few left" on the calendar when this many units or fewer remain
# Result orders. "Recommended" is the tourism office's order of the homestays in the page tree;
# by price costs a look at every candidate's price rules, so it is chosen, not the default.
SORT_RECOMMENDED = "recommended"
SORT_PRICE = "price"
SORT_DISTANCE = "distance"
# Best rated first: the published reviews' average kept on the page (reviews.services), those
# without a rating last.
SORT_RATING = "rating"
RATING_ORDER = (F("rating_average").desc(nulls_last=True), "-review_count")


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

    @property
    def few_left(self):
        """"Only N left" on a result card: the calendar's rule."""
        return self.available_units <= FEW_LEFT


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
    room_type: RoomType  # the inventory row (default locale): its pk is what gets booked
    days: list[CalendarDay] = field(default_factory=list)
    # The row whose texts and photo the page shows: the page's own (translated) row, else room_type.
    display: RoomType | None = None
    # With a stay asked for: its Quote, or the ReservationError saying why it cannot be had.
    quote: object = None


def _ceil_div(a, b):
    return -(-a // b)


def fitting_room_types(
    check_in,
    check_out,
    guests,
    *,
    rooms=1,
    village=None,
    amenities=(),
    price_min=None,
    price_max=None,
    now=None,
):
    """Default-locale room types that can be sold for the whole stay [check_in, check_out), as a
    lazy queryset: filter, group, sort and paginate it in the database, then price the one page
    shown with ``_priced`` (which applies the same rules in Python, through ``pricing.quote``).

    Filtered in SQL: live homestays, enough beds for ``guests`` over ``rooms`` rooms, no closed
    night, no minimum stay longer than the stay, at least ``rooms`` rooms free on every night
    (capacity minus live claims), village, every amenity asked for, and ``price_min`` /
    ``price_max`` (fen) bounding the average price per night.
    """
    qs = _room_types_fitting(check_in, check_out, guests, rooms, price_min, price_max, now)
    return _in_homestays(qs, "page__", village, amenities)


def _room_types_fitting(check_in, check_out, guests, rooms, price_min, price_max, now):
    """Default-locale room types that fit the stay by their own rows, rules and claims, whatever
    their homestay. The rules and claims are looked at row by row (correlated on the room type,
    from indexes led by it), so a walk through the candidates in order that stops once a page is
    filled reads only the rules and claims of the candidates it passed, not the whole town's."""
    pricing.check_stay_dates(check_in, check_out)
    nights = (check_out - check_in).days
    qs = RoomType.objects.alias(room_locale=_not_an_index_key("locale_id")).filter(
        room_locale=default_locale().pk,
        max_guests__gte=_ceil_div(guests, rooms),
        units__gte=rooms,
        min_nights__lte=nights,
    )
    blocked = pricing.blocked_room_types(check_in, check_out).filter(room_type_id=OuterRef("pk"))
    claimed = most_claimed_on_a_night(
        ReservationKind.STAY,
        check_in,
        check_out,
        of=OuterRef("pk"),
        longest=pricing.MAX_NIGHTS,  # StayLine and the inventory refuse longer stays
        now=now,
    )
    qs = qs.filter(~Exists(blocked)).alias(claimed=claimed).filter(claimed__lte=F("units") - rooms)
    if price_min is not None or price_max is not None:
        qs = with_stay_total(qs, check_in, check_out)
    # Average per night as the shown quote computes it (total // nights), bounded without division.
    if price_min is not None:
        qs = qs.filter(stay_total__gte=price_min * nights)
    if price_max is not None:
        qs = qs.filter(stay_total__lt=(price_max + 1) * nights)
    return qs


def _homestays_fitting(
    check_in,
    check_out,
    guests,
    *,
    rooms=1,
    village=None,
    amenities=(),
    price_min=None,
    price_max=None,
    now=None,
):
    """Live default-locale homestays with a room fitting the stay (``fitting_room_types``), as a
    queryset to order: walked in an indexed order (the page tree's), each homestay's rooms are
    looked at in turn and the walk stops once the rows asked for are found."""
    rooms_fitting = _room_types_fitting(check_in, check_out, guests, rooms, price_min, price_max, now)
    return _in_homestays(HomestayPage.objects.all(), "", village, amenities).filter(
        Exists(rooms_fitting.filter(page_id=OuterRef("pk")))
    )


def _not_an_index_key(name):
    """``name`` (an integer column) for a filter that should not drive the query. SQLite, without
    statistics (never ANALYZEd), would take the locale's index, read every row of the town and sort
    them, rather than walk the candidates in their order and stop once the page is filled; an
    expression no index answers keeps it on the walk. PostgreSQL has statistics and walks on its
    own, and the expression would only blind its estimates (it then sorts the whole town)."""
    if connection.vendor == "sqlite":
        return ExpressionWrapper(F(name) + 0, output_field=IntegerField())
    return F(name)


def _in_homestays(qs, prefix="", village=None, amenities=()):
    """``qs`` (homestays, or rows reaching them through ``prefix``) narrowed to live default-locale
    homestays in the village and with every amenity asked for."""
    default = default_locale()
    qs = qs.alias(in_locale=_not_an_index_key(f"{prefix}locale_id")).filter(
        **{f"{prefix}live": True}, in_locale=default.pk
    )
    if village is not None:
        # A village chosen on a translated page is the translation of the one the page links.
        qs = qs.filter(**{f"{prefix}village__translation_key": village.translation_key})
    if amenities:
        codes = sorted({getattr(a, "code", a) for a in amenities})
        with_all = (
            HomestayPage.objects.filter(amenities__code__in=codes)
            .values("pk")
            .annotate(matched=Count("amenities", distinct=True))
            .filter(matched=len(codes))
            .values("pk")
        )
        qs = qs.filter(**{f"{prefix}pk__in": with_all})
    return qs


def with_stay_total(room_types, check_in, check_out):
    """Annotate ``stay_total`` (fen), to sort or bound by price in SQL. It costs a look at the
    price rules of every room type still in the queryset, so it is added only when asked for."""
    if "stay_total" in room_types.query.annotations:
        return room_types
    return room_types.annotate(stay_total=pricing.stay_total_sql(check_in, check_out))


def _is_translated(locale):
    return locale is not None and locale.pk != default_locale().pk


def _first_gallery_image(page_pk):
    """The image of a homestay's first gallery item (a card's photo), as a subquery on its pk."""
    gallery = HomestayGalleryImage.objects.filter(page_id=page_pk).order_by("sort_order", "pk")
    return Subquery(gallery.values("image_id")[:1])


def _named_in(room_types, locale):
    """Annotate ``translated_name``: each room type's name in ``locale`` (None without one), so
    the names come with the rows rather than in a query of their own."""
    if not _is_translated(locale):
        return room_types
    names = RoomType.objects.filter(locale=locale, translation_key=OuterRef("translation_key"))
    return room_types.annotate(translated_name=Subquery(names.values("name")[:1]))


def _translated_pages(pages, locale):
    """{page translation_key: translated live page, with its village and first gallery image}:
    one query, none in the default locale."""
    if not _is_translated(locale):
        return {}
    return {
        p.translation_key: p
        for p in HomestayPage.objects.live()
        .filter(locale=locale, translation_key__in={p.translation_key for p in pages})
        .select_related("village")
        .annotate(first_image_id=_first_gallery_image(OuterRef("pk")))
    }


def _priced(room_types, check_in, check_out, rooms, locale, *, price_min=None, price_max=None, now=None):
    """AvailableRooms for those of these room types that fit the stay, priced by ``pricing.quote``,
    cheapest first: 2 queries (their rules and live claims), 3 for a translated page (its
    homestays; the room types carry their names, ``_named_in``). The same rules as
    ``fitting_room_types`` in SQL, applied to a page of rows in Python."""
    if not room_types:
        return []
    ids = [rt.pk for rt in room_types]
    # Each room type's rules apart: pricing scans the list it is given, once per night.
    rules = defaultdict(list)
    for rule in rules_for(ids, check_in, check_out):
        rules[rule.room_type_id].append(rule)
    claimed = claimed_units(ReservationKind.STAY, ids, check_in, check_out, now=now)
    translated_pages = _translated_pages([rt.page for rt in room_types], locale)
    results = []
    for rt in room_types:
        try:
            quote = pricing.quote(rt, check_in, check_out, rules[rt.pk])
        except ReservationError:
            continue  # a host closed the night between the two queries
        free = free_rooms(rt, quote.nights, claimed)
        if free < rooms:
            continue
        per_night = quote.total_fen // quote.night_count
        if (price_min is not None and per_night < price_min) or (
            price_max is not None and per_night > price_max
        ):
            continue
        page = translated_pages.get(rt.page.translation_key, rt.page)
        name = getattr(rt, "translated_name", None)
        results.append(AvailableRoom(page, rt, quote, free, rt.name if name is None else name))
    results.sort(key=lambda r: (r.total_fen, r.homestay.title, r.room_type.pk))
    return results


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
    """Every room type free on every night of [check_in, check_out) for ``guests``, cheapest
    first, unpaginated: for small sets (one homestay, tests). Pages and the API use
    ``search_homestays`` and ``search_room_types``, which price one page only."""
    fitting = fitting_room_types(
        check_in,
        check_out,
        guests,
        rooms=rooms,
        village=village,
        amenities=amenities,
        price_min=price_min,
        price_max=price_max,
        now=now,
    )
    room_types = list(
        _named_in(fitting.select_related("page", "page__locale", "page__village", "photo"), locale)
    )
    return _priced(room_types, check_in, check_out, rooms, locale, now=now)


MAX_PAGE = 10_000
# Results are counted up to this many and no further: "more than 500". An exact count at town
# scale would read every candidate's rules and claims; stopping here keeps a search's cost the
# same whatever the size of the town (bench/availability.py).
COUNT_CAP = 500


def _capped_page(rows, number, per_page):
    """Page ``number`` of ``rows`` (an ordered queryset of dicts or values) among the first
    COUNT_CAP of them, in one query that stops after COUNT_CAP + 1 rows. The paginator's ``count``
    is exact below the cap and COUNT_CAP above it, with ``count_exact`` saying which. A number
    past the end (or not a number) falls back as ``Paginator.get_page`` does."""
    found = list(rows[: COUNT_CAP + 1])
    paginator = Paginator(found[:COUNT_CAP], per_page)
    paginator.count_exact = len(found) <= COUNT_CAP
    return paginator.get_page(number)


def search_room_types(
    check_in, check_out, guests, *, page=1, per_page=20, sort=SORT_RECOMMENDED, now=None, **filters
):
    """One page of the fitting room types: the JSON API. In the tourism office's order of the
    homestays (then each homestay's order of its rooms), or cheapest stay first with
    ``sort=SORT_PRICE``. A Paginator page whose object_list holds AvailableRooms, counted up to
    COUNT_CAP (``_capped_page``): 4 queries whatever the size of the town (the page's ids, its
    rooms, rules, claims)."""
    fitting = fitting_room_types(check_in, check_out, guests, now=now, **filters)
    if sort == SORT_PRICE:
        ordered = with_stay_total(fitting, check_in, check_out).order_by("stay_total", "page__title", "pk")
    else:
        # The first COUNT_CAP + 1 homestays with a fitting room, walked in order, hold the first
        # COUNT_CAP + 1 fitting rooms: only their rooms are sorted, not the whole town's.
        first = _homestays_fitting(check_in, check_out, guests, now=now, **filters).order_by("path", "pk")
        ordered = fitting.filter(page_id__in=first.values("pk")[: COUNT_CAP + 1]).order_by(
            "page__path", "sort_order", "pk"
        )
    page_obj = _capped_page(ordered.values_list("pk", flat=True), page, per_page)
    ids = list(page_obj.object_list)
    room_types = RoomType.objects.filter(pk__in=ids).select_related("page", "page__locale", "page__village")
    priced = _priced(
        list(room_types) if ids else [],
        check_in,
        check_out,
        filters.get("rooms", 1),
        None,
        price_min=filters.get("price_min"),
        price_max=filters.get("price_max"),
        now=now,
    )
    position = {pk: i for i, pk in enumerate(ids)}
    priced.sort(key=lambda r: position[r.room_type.pk])
    page_obj.object_list = priced
    return page_obj


CARD_RENDITION = "fill-600x400|format-webp"


@dataclass
class HomestayResult:
    """One homestay's card in the search results: its fitting rooms, cheapest first."""

    homestay: HomestayPage  # the page shown (translated when there is one)
    rooms: list[AvailableRoom]
    photo: object = None  # a Wagtail image with CARD_RENDITION prefetched, or None
    distance_km: float | None = None
    from_price_fen: int | None = None  # the lowest base price, when no dates are chosen

    @property
    def cheapest(self):
        return self.rooms[0] if self.rooms else None

    @property
    def other_rooms(self):
        return self.rooms[1:]


def _distance_order(near, prefix="page__"):
    """SQL ordering by distance to ``near`` (lat, lng): an equirectangular projection, which orders
    points within a town as the great-circle distance does; homestays without coordinates last."""
    lat0, lng0 = float(near[0]), float(near[1])
    squeeze = math.cos(math.radians(lat0))
    lat = Cast(f"{prefix}latitude", FloatField()) - lat0
    lng = (Cast(f"{prefix}longitude", FloatField()) - lng0) * squeeze
    return ExpressionWrapper(lat * lat + lng * lng, output_field=FloatField())


def search_homestays(
    check_in,
    check_out,
    guests,
    *,
    page=1,
    per_page=12,
    sort=SORT_RECOMMENDED,
    near=None,
    locale=None,
    now=None,
    **filters,
):
    """One page of homestays with a room fitting the stay, each with all its fitting rooms priced.

    Filtered, sorted and paginated in the database (in the tourism office's order, by the
    cheapest fitting stay, or by distance to ``near``, a (latitude, longitude) pair) and counted up
    to COUNT_CAP (``_capped_page``); only the page shown is loaded and priced.
    A Paginator page whose object_list holds HomestayResults; the same number of queries
    whatever the size of the town.
    """
    if sort == SORT_PRICE:
        # Cheapest stay first needs every candidate's price: the whole town is read.
        fitting = fitting_room_types(check_in, check_out, guests, now=now, **filters)
        ordered = (
            with_stay_total(fitting, check_in, check_out)
            .order_by()
            .values("page_id")
            .annotate(best=Min("stay_total"))
            .order_by("best", "page__title", "page_id")
            .values_list("page_id", flat=True)
        )
    else:
        homestays = _homestays_fitting(check_in, check_out, guests, now=now, **filters)
        if sort == SORT_DISTANCE and near is not None:
            homestays = homestays.annotate(away=_distance_order(near, prefix="")).order_by(
                F("away").asc(nulls_last=True), "path", "pk"
            )
        elif sort == SORT_RATING:
            homestays = homestays.order_by(*RATING_ORDER, "path", "pk")
        else:
            homestays = homestays.order_by("path", "pk")
        ordered = homestays.values_list("pk", flat=True)
    page_obj = _capped_page(ordered, page, per_page)
    page_ids = list(page_obj.object_list)
    # The page's homestays' rooms by their own fields (the pages are the default locale's, so are
    # their rooms); _priced drops those a rule or a claim rules out, as the SQL above did.
    rooms = filters.get("rooms", 1)
    room_types = (
        list(
            _named_in(
                RoomType.objects.filter(
                    page_id__in=page_ids,
                    max_guests__gte=_ceil_div(guests, rooms),
                    units__gte=rooms,
                    min_nights__lte=(check_out - check_in).days,
                ),
                locale,
            )
            .select_related("page", "page__locale", "page__village")
            .annotate(page_first_image_id=_first_gallery_image(OuterRef("page_id")))
            .order_by("sort_order", "pk")
        )
        if page_ids
        else []
    )
    for rt in room_types:
        rt.page.first_image_id = rt.page_first_image_id
    by_page = defaultdict(list)
    priced = _priced(
        room_types,
        check_in,
        check_out,
        rooms,
        locale,
        price_min=filters.get("price_min"),
        price_max=filters.get("price_max"),
        now=now,
    )
    for room in priced:
        by_page[room.room_type.page_id].append(room)
    results = [HomestayResult(by_page[pk][0].homestay, by_page[pk]) for pk in page_ids if by_page[pk]]
    _attach_photos(results, near)
    _villages_shown(results)
    page_obj.object_list = results
    return page_obj


def _attach_photos(results, near=None):
    """Each card's photo (the homestay's first gallery image, ``first_image_id`` on its page, else
    its cheapest room's photo) with its rendition, and its distance to ``near``: one query once
    the renditions exist, whatever the number of cards."""
    wanted = {}
    for result in results:
        wanted[result.homestay.pk] = getattr(result.homestay, "first_image_id", None) or next(
            (room.room_type.photo_id for room in result.rooms if room.room_type.photo_id), None
        )
    images = images_with_renditions(wanted.values(), CARD_RENDITION)
    for result in results:
        result.photo = images.get(wanted[result.homestay.pk])
        if near is not None and geo.has_coordinates(result.homestay):
            result.distance_km = round(
                geo.haversine_km(*near, result.homestay.latitude, result.homestay.longitude), 1
            )


def _villages_shown(results):
    """Each card's village in its page's language (``homestay.village_shown``): a translated page
    still links the village chosen in Chinese. One query on translated cards, none otherwise."""
    if results:
        localize_villages([result.homestay for result in results], results[0].homestay.locale_id)


def homestay_listing(
    *, locale=None, village=None, amenities=(), page=1, per_page=12, sort=SORT_RECOMMENDED, near=None
):
    """One page of the live homestays in ``locale`` (no dates chosen), each with its lowest base
    price ("from ¥X/night"), sorted by that price or by distance to ``near``: paginated in SQL, a
    Paginator page of HomestayResults (no rooms); the same queries whatever the size of the town."""
    default = default_locale()
    locale = locale or default
    lowest = (
        RoomType.objects.filter(
            locale=default, page__live=True, page__translation_key=OuterRef("translation_key")
        )
        .order_by()
        .values("page__translation_key")
        .annotate(lowest=Min("base_price_fen"))
        .values("lowest")
    )
    pages = (
        HomestayPage.objects.live()
        .filter(locale=locale)
        .select_related("village", "locale")
        .annotate(
            from_price_fen=Subquery(lowest, output_field=IntegerField()),
            first_image_id=_first_gallery_image(OuterRef("pk")),
        )
    )
    if village is not None:
        pages = pages.filter(village__translation_key=village.translation_key)
    for code in sorted({getattr(a, "code", a) for a in amenities or ()}):
        pages = pages.filter(amenities__code=code)
    if sort == SORT_DISTANCE and near is not None:
        pages = pages.annotate(away=_distance_order(near, prefix="")).order_by(
            F("away").asc(nulls_last=True), "title", "pk"
        )
    elif sort == SORT_PRICE:
        pages = pages.order_by(F("from_price_fen").asc(nulls_last=True), "title", "pk")
    elif sort == SORT_RATING:
        pages = pages.order_by(*RATING_ORDER, "title", "pk")
    else:
        pages = pages.order_by("path")
    page_obj = Paginator(pages, per_page).get_page(page)
    results = [HomestayResult(p, [], from_price_fen=p.from_price_fen) for p in page_obj.object_list]
    _attach_photos(results, near)
    _villages_shown(results)
    page_obj.object_list = results
    return page_obj


def _page_room_types(homestay):
    """The room types ``homestay`` sells (the default locale's, see ``canonical_for``) and
    {translation key: the page's own row} for their texts, with their photos: one query."""
    rows = RoomType.objects.select_related("photo").order_by("sort_order", "pk")
    if "room_types" in getattr(homestay, "_cluster_related_objects", {}):
        # A preview: the edited rooms' texts live only in memory.
        own = {rt.translation_key: rt for rt in homestay.room_types.all()}
        return list(RoomType.objects.canonical_for(homestay).select_related("photo")), own
    if homestay.locale_id == default_locale().pk:
        room_types = list(rows.filter(page=homestay))
        return room_types, {rt.translation_key: rt for rt in room_types}
    canonical = RoomType.objects.canonical_for(homestay).order_by().values("pk")
    both = list(rows.filter(Q(page=homestay) | Q(pk__in=canonical)))
    own = {rt.translation_key: rt for rt in both if rt.page_id == homestay.pk}
    return [rt for rt in both if rt.page_id != homestay.pk], own


def _stay_quote(room_type, check_in, check_out, rules, claimed, rooms):
    """The Quote for ``rooms`` rooms of ``room_type``, or the ReservationError saying why not."""
    try:
        quote = pricing.quote(room_type, check_in, check_out, rules)
        if free_rooms(room_type, quote.nights, claimed) < rooms:
            raise SoldOut()
    except ReservationError as exc:
        return exc
    return quote


def room_calendars(homestay, start, end, *, stay=None, rooms=1, now=None):
    """Per room type, per night in [start, end): units left, price, closed; with ``stay`` (a
    (check-in, check-out) pair), each calendar also prices that stay in ``rooms`` rooms. 3 queries
    however many room types: the rooms (with their photos and the page's own texts), then the rules
    and live claims of the calendar's nights and the stay's, read together."""
    room_types, own = _page_room_types(homestay)
    ids = [rt.pk for rt in room_types]
    first, last = (min(start, stay[0]), max(end, stay[1])) if stay else (start, end)
    # Each room type's rules apart: pricing scans the list it is given, once per night.
    rules = defaultdict(list)
    for rule in rules_for(ids, first, last) if ids else []:
        rules[rule.room_type_id].append(rule)
    claimed = claimed_units(ReservationKind.STAY, ids, first, last, now=now) if ids else {}
    nights = pricing.nights_between(start, end)
    calendars = []
    for rt in room_types:
        days = []
        for night in nights:
            price = pricing.night_price(rt, night, rules[rt.pk])
            closed = price is None
            left = 0 if closed else max(rt.units - claimed.get((rt.pk, night), 0), 0)
            days.append(CalendarDay(night, left, price, closed, rt.units))
        quote = _stay_quote(rt, *stay, rules[rt.pk], claimed, rooms) if stay else None
        calendars.append(RoomCalendar(rt, days, own.get(rt.translation_key, rt), quote))
    return calendars


def free_rooms(room_type, nights, claimed) -> int:
    """Rooms of ``room_type`` free on every one of ``nights`` (NightPrices of a quote), given the
    live ``claimed`` units per (room type, night) from ``claimed_units``."""
    return min(room_type.units - claimed.get((room_type.pk, n.night), 0) for n in nights)


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
