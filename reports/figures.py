"""The town's figures: occupancy, seats, shop sales and the money reaching villages and households.

Every figure is one aggregate query (or a fixed handful) over the sold order lines, whatever the
number of orders; nothing loops over orders in Python. The rules, in one place:

* **Sold** lines belong to orders that are confirmed, paid or completed. Pending orders (not paid
  yet) and cancelled or refunded ones are not sales.
* A line's **net** is its total less its share of the order's refunds, pro rata to the line's
  total: ``total - floor(total * refunded / order_total)``. A partial refund lowers the revenue
  of every line of its order; a free order (total 0) has net 0.
* Each kind counts on its **service date**, local time (Asia/Shanghai): a stay on each of its
  nights (a stay across two months counts its nights, and that share of its net, in each); a
  tour on its slot's start; a ticket on the event's start; produce on the day it was ordered.
  A window's share of a stay is ``floor(net * nights_in_window / nights)``.
* **Cancellations** are orders cancelled by the visitor or staff (``cancelled_by`` set) or
  refunded in full; unpaid checkouts that lapsed were never bookings and are not counted.
* The **village** is the one recorded on the line at the sale (``OrderLine.village``).
* A line reaches a **supported household** when its seller (the host, the farmer) was flagged
  ``supported_household`` at the sale (``OrderLine.seller_supported``, kept by
  ``orders.sellers``): a household leaving the programme later does not rewrite past months. The
  flag is staff-only: these figures are for staff views; the public block only shows anonymised
  totals.

Results are cached for ``REPORTS_CACHE_SECONDS`` (default 300): the office reads them many times
an hour, and a few minutes' delay is fine for figures of months.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Avg,
    BigIntegerField,
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least, TruncMonth
from django.utils import timezone
from django.utils.translation import get_language, gettext
from wagtail.models import Locale, Page

from attractions.models import TourSlot, TourSlotStatus
from events.models import EventPage, TicketType
from homestays.models import HomestayPage, RateRuleKind, RoomRateRule, RoomType
from orders.models import SOLD_STATUSES, OrderLine, OrderStatus, Refund
from orders.models.reservations import ReservationKind
from products.models import FulfilmentStatus, Producer, Product, ProductCategory
from town.models import Village
from town.replica import reading_for_reports

# --- periods ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Local days ``start`` .. ``end - 1`` (``end`` exclusive)."""

    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days


# --- rows -------------------------------------------------------------------------------------


@dataclass
class HomestayRow:
    key: int | None  # homestay page id, or village id (None: no village) when grouped by village
    name: str
    village: str
    rooms: int  # units of all room types
    room_nights_available: int  # rooms x days in the period, less closed room-nights
    nights_sold: int  # room-nights sold in the period
    occupancy: float | None  # nights_sold / room_nights_available (0..1), None when nothing to sell
    revenue_fen: int  # net revenue of the nights in the period
    average_nightly_fen: int | None  # revenue_fen // nights_sold
    cancellations: int  # cancelled stay lines with a night in the period
    cancelled_nights: int  # their room-nights in the period
    is_total: bool = False


@dataclass
class TourEventRow:
    key: str  # "slot:<id>", "experience:<id>" or "event:<id>"
    kind: str  # "tour" or "event"
    date: datetime.date | None  # local date of the slot / event start (None for experience totals)
    name: str
    village: str
    capacity: int
    sold: int  # seats (pitches for camping) or tickets
    fill_rate: float | None  # sold / capacity
    checked_in: int  # of the sold, admitted at the gate
    attendance_rate: float | None  # checked_in / sold
    revenue_fen: int
    is_total: bool = False


@dataclass
class ShopRow:
    key: str  # producer id, village id or category value
    name: str
    supported_household: bool | None  # producers only (staff-only report)
    orders: int
    units: int
    revenue_fen: int  # net, shipping included
    fulfilled: int  # lines handed over or shipped
    open: int  # lines not yet handed over or shipped
    average_fulfilment_hours: float | None  # order placed -> handed over / shipped
    is_total: bool = False


@dataclass
class ProsperityRow:
    month: datetime.date  # first day of the month
    village_id: int | None
    village: str  # "All villages" on the month's total row
    stays_fen: int
    tours_fen: int
    tickets_fen: int
    produce_fen: int
    total_fen: int
    supported_fen: int  # of the total, reaching supported households
    supported_share: float | None  # supported_fen / total_fen
    is_total: bool = False


# Dashboard metric keys, in this order: "nights_sold", "occupancy", "tour_seats", "tickets_sold",
# "produce_fen", "village_fen" (all revenue reaching villages), "supported_share".


@dataclass
class Metric:
    key: str
    label: str
    unit: str  # "fen", "count" or "percent" (percent values are 0..1 floats)
    this_month: float | int | None
    last_month: float | int | None
    same_month_last_year: float | int | None


@dataclass
class MonthFigure:
    month: datetime.date
    total_fen: int
    supported_fen: int


@dataclass
class Dashboard:
    month: datetime.date  # first day of "this month"
    metrics: list[Metric]
    # This month and the 11 before, oldest first: money reaching villages, and the supported part.
    revenue_by_month: list[MonthFigure] = field(default_factory=list)


@dataclass
class VillageShare:
    village: str
    share: float  # of the season's revenue, 0..1


@dataclass
class TownInNumbers:
    season: str  # "Autumn 2026" (translated)
    period: Period
    visitors: int  # guests of stays, tours and tickets in the season so far
    produce_units: int
    produce_fen: int
    village_shares: list[VillageShare]  # largest first, at most 5
    villages_reached: int
    supported_share: float | None  # None unless at least MIN_HOUSEHOLDS households had sales


MIN_HOUSEHOLDS = 3


# --- building blocks --------------------------------------------------------------------------


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=_tz())


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_period(month: datetime.date) -> Period:
    return Period(month_start(month), add_months(month_start(month), 1))


def months_of(period: Period) -> list[Period]:
    """The period cut at month ends: each piece lies in one calendar month."""
    pieces, start = [], period.start
    while start < period.end:
        end = min(add_months(month_start(start), 1), period.end)
        pieces.append(Period(start, end))
        start = end
    return pieces


class DaysBetween(Func):
    """Whole days from the date ``start`` to the date ``end`` (negative when ``end`` is earlier)."""

    output_field = IntegerField()

    def __init__(self, end, start):
        super().__init__(end, start)

    def as_sql(self, compiler, connection, **extra):
        # PostgreSQL: date - date is an integer number of days.
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def _nights_in(period: Period):
    """A stay line's nights inside ``period`` (0 when they don't meet)."""
    return Greatest(
        Value(0),
        DaysBetween(Least(F("end_date"), Value(period.end)), Greatest(F("start_date"), Value(period.start))),
    )


def _stay_nights():
    return Greatest(Value(1), DaysBetween(F("end_date"), F("start_date")))


def _stay_share(period: Period):
    """``net -> floor(net * nights in period / nights)``: a stay's money, night by night."""
    return lambda net: net * _nights_in(period) / _stay_nights()


def _identity(net):
    return net


def _only(condition: Q, fn=_identity):
    """``fn(net)`` on lines meeting ``condition``, 0 on the others."""
    return lambda net: Case(When(condition, then=fn(net)), default=Value(0), output_field=BigIntegerField())


def _refunded_per_order():
    sums = (
        Refund.objects.filter(payment__order=OuterRef("order"))
        .values("payment__order")
        .annotate(total=Cast(Sum("amount_fen"), BigIntegerField()))
        .values("total")[:1]
    )
    return Coalesce(Subquery(sums, output_field=BigIntegerField()), Value(0), output_field=BigIntegerField())


def _cancelled_lines_of_order(field, *, replaced=True):
    """The sum of ``field`` over the order's lines cancelled on their own (0 when none); without
    the stays moved to other dates when ``replaced`` is false."""
    lines = OrderLine.objects.filter(order=OuterRef("order"), cancelled_at__isnull=False)
    if not replaced:
        lines = lines.filter(replaced_by__isnull=True)
    sums = lines.values("order").annotate(total=Cast(Sum(field), BigIntegerField())).values("total")[:1]
    return Coalesce(Subquery(sums, output_field=BigIntegerField()), Value(0), output_field=BigIntegerField())


def _net_after_refunds():
    """A live line's total less its share of the order's refunds that were for no cancelled line:
    ``total - floor(total * (refunded - refunded for cancelled lines) / live lines' total)``.

    A line cancelled on its own records what was refunded for it (``OrderLine.refund_fen``), so
    that refund stays with it and does not lower the lines that stand; the rest (a part refund,
    a whole order refunded) is spread over the live lines. Nothing for a free order."""
    total = F("total_fen")
    other_refunds = Greatest(
        Value(0),
        _refunded_per_order() - _cancelled_lines_of_order("refund_fen"),
        output_field=BigIntegerField(),
    )
    live_total = Greatest(
        Value(1),
        # A moved stay's old line already left the order's total (``stay_change``); a line
        # cancelled on its own did not.
        F("order__total_fen") - _cancelled_lines_of_order("total_fen", replaced=False),
        output_field=BigIntegerField(),
    )
    return Case(
        When(order__total_fen=0, then=Value(0)),
        default=total - total * other_refunds / live_total,
        output_field=BigIntegerField(),
    )


def sold_lines():
    # A line the organiser called off is no sale, even if the rest of its order stands.
    return OrderLine.objects.filter(order__status__in=SOLD_STATUSES, cancelled_at__isnull=True)


def cancelled_lines():
    """Lines of bookings the visitor or staff cancelled, or that were refunded in full, and lines
    the organiser called off. A stay moved to other dates is no cancellation: the line that
    replaced it stands for it (``orders.stay_change``)."""
    return OrderLine.objects.filter(
        Q(order__status=OrderStatus.CANCELLED, order__cancelled_by__isnull=False)
        | Q(order__status=OrderStatus.REFUNDED)
        | Q(cancelled_at__isnull=False),
        replaced_by__isnull=True,
    )


def _service_window(period: Period, kinds=None) -> Q:
    """Lines whose service date falls in ``period``: a night, the slot or event start, the order day."""
    start, end = local_midnight(period.start), local_midnight(period.end)
    by_kind = {
        ReservationKind.STAY: Q(
            kind=ReservationKind.STAY, start_date__lt=period.end, end_date__gt=period.start
        ),
        ReservationKind.TOUR: Q(kind=ReservationKind.TOUR, starts_at__gte=start, starts_at__lt=end),
        ReservationKind.TICKET: Q(kind=ReservationKind.TICKET, starts_at__gte=start, starts_at__lt=end),
        ReservationKind.PRODUCT: Q(
            kind=ReservationKind.PRODUCT, order__created_at__gte=start, order__created_at__lt=end
        ),
    }
    condition = Q(pk__in=[])
    for kind in kinds or by_kind:
        condition |= by_kind[kind]
    return condition


def _supported():
    """The line's seller (host, farmer) was a supported household at the sale (staff-only flag)."""
    return F("seller_supported")


def _aggregate(lines, group, *, counts=None, money=None, averages=None):
    """``{group values: {name: int}}``: ``counts`` are plain sums; ``money`` maps a name to a
    function of a line's net. Two queries: every line at its full total, then, for the few lines
    whose order had refunds, what the refunds take off each figure (exactly, floors included).
    That keeps the refund subquery off the many lines without refunds."""
    counts, money, averages = counts or {}, money or {}, averages or {}
    result = {}

    def key(row):
        return tuple(row[name] for name in group)

    annotations = dict(counts)
    annotations |= {
        name: Sum(fn(F("total_fen")), output_field=BigIntegerField()) for name, fn in money.items()
    }
    for row in lines.values(*group).annotate(**annotations, **averages).order_by():
        result[key(row)] = {name: int(row[name] or 0) for name in annotations}
        result[key(row)] |= {name: row[name] for name in averages}  # None: nothing to average
    if money:
        refunded = lines.filter(order_id__in=Refund.objects.values("payment__order_id"))
        net = _net_after_refunds()
        less = {
            name: Sum(fn(F("total_fen")) - fn(net), output_field=BigIntegerField())
            for name, fn in money.items()
        }
        for row in refunded.values(*group).annotate(**less).order_by():
            figures = result.get(key(row))
            if figures is None:
                continue
            for name in money:
                figures[name] -= int(row[name] or 0)
    return result


def _sum_dicts(dicts) -> dict:
    total = {}
    for figures in dicts:
        for name, value in figures.items():
            total[name] = total.get(name, 0) + value
    return total


def _ratio(part, whole):
    return part / whole if whole else None


def _village_names(ids) -> dict:
    """Village names in the active language (the Chinese where there is no translation)."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return {}
    villages = list(Village.objects.filter(pk__in=ids))
    locale = Locale.get_active()
    foreign = {v.translation_key for v in villages if v.locale_id != locale.pk}
    translated = {}
    if foreign:
        translated = {
            v.translation_key: v.name
            for v in Village.objects.filter(locale=locale, translation_key__in=foreign)
        }
    return {v.pk: translated.get(v.translation_key, v.name) for v in villages}


def _translated_titles(translation_keys) -> dict:
    """``{translation key: title}`` of the pages' translations in the active language (one query;
    none when the active language is the default one, whose titles the rows already have)."""
    locale = Locale.get_active()
    if locale.pk == Locale.get_default().pk or not translation_keys:
        return {}
    return dict(
        Page.objects.filter(locale=locale, translation_key__in=set(translation_keys)).values_list(
            "translation_key", "title"
        )
    )


def _no_village():
    return gettext("No village")


def cache_seconds() -> int:
    return int(getattr(settings, "REPORTS_CACHE_SECONDS", 300))


def _cached(function):
    """Cache a figure for ``REPORTS_CACHE_SECONDS``, per arguments and language (names are translated)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        raw = repr((function.__name__, args, sorted(kwargs.items()), get_language()))
        key = "reports:" + hashlib.sha256(raw.encode()).hexdigest()
        value = cache.get(key)
        if value is None:
            with reading_for_reports():  # from the read replica when there is one
                value = function(*args, **kwargs)
            cache.set(key, value, cache_seconds())
        return value

    wrapper.uncached = function
    return wrapper


# --- homestays --------------------------------------------------------------------------------


def _homestay_capacity(pages, period: Period) -> dict:
    """``{page id: (rooms, room-nights available)}``: units x days, less closed room-nights."""
    default = Locale.get_default()
    rooms = dict(
        RoomType.objects.filter(page__in=pages, locale=default)
        .values("page")
        .annotate(units=Sum("units"))
        .values_list("page", "units")
        .order_by()
    )
    last_night = period.end - datetime.timedelta(days=1)
    overlap = DaysBetween(
        Least(F("end_date"), Value(last_night)), Greatest(F("start_date"), Value(period.start))
    )
    closed = dict(
        RoomRateRule.objects.filter(
            kind=RateRuleKind.CLOSED,
            room_type__page__in=pages,
            room_type__locale=default,
            start_date__lt=period.end,
            end_date__gte=period.start,
        )
        .values("room_type__page")
        .annotate(nights=Sum((overlap + 1) * F("room_type__units"), output_field=BigIntegerField()))
        .values_list("room_type__page", "nights")
        .order_by()
    )
    return {
        pk: (int(units or 0), max(0, int(units or 0) * period.days - int(closed.get(pk) or 0)))
        for pk, units in rooms.items()
    }


def _homestay_row(key, name, village, rooms, available, sold, cancelled):
    sold, cancelled = sold or {}, cancelled or {}
    return HomestayRow(
        key=key,
        name=name,
        village=village,
        rooms=rooms,
        room_nights_available=available,
        nights_sold=sold.get("nights", 0),
        occupancy=None,
        revenue_fen=sold.get("revenue", 0),
        average_nightly_fen=None,
        cancellations=cancelled.get("lines", 0),
        cancelled_nights=cancelled.get("nights", 0),
    )


@_cached
def homestay_rows(
    period: Period, village_id: int | None = None, group: str = "homestay"
) -> list[HomestayRow]:
    """One row per homestay (``group="homestay"``) or village (``"village"``), then a total row."""
    stays_in_period = Q(kind=ReservationKind.STAY, start_date__lt=period.end, end_date__gt=period.start)
    # Homestays on the site now, and any with stays in the period (since unpublished): a draft
    # that never took a booking would only lower the occupancy.
    pages = HomestayPage.objects.filter(locale=Locale.get_default()).filter(
        Q(live=True) | Q(pk__in=sold_lines().filter(stays_in_period).values("page_id_snapshot"))
    )
    if village_id is not None:
        pages = pages.filter(village_id=village_id)
    pages = list(
        pages.only("pk", "title", "translation_key", "locale_id", "village_id").order_by("title", "pk")
    )
    capacity = _homestay_capacity(pages, period)
    stays = stays_in_period
    if village_id is not None:
        stays &= Q(village_id=village_id)
    by = "village_id" if group == "village" else "page_id_snapshot"
    nights = Sum(F("quantity") * _nights_in(period), output_field=BigIntegerField())
    sold = _aggregate(
        sold_lines().filter(stays), [by], counts={"nights": nights}, money={"revenue": _stay_share(period)}
    )
    cancelled = _aggregate(
        cancelled_lines().filter(stays), [by], counts={"lines": Count("pk"), "nights": nights}
    )
    villages = _village_names([p.village_id for p in pages] + [key[0] for key in sold if group == "village"])
    rows = []
    if group == "village":
        units = {}
        for page in pages:
            rooms, available = capacity.get(page.pk, (0, 0))
            have = units.setdefault(page.village_id, [0, 0])
            have[0] += rooms
            have[1] += available
        keys = sorted(
            set(units) | {k[0] for k in sold} | {k[0] for k in cancelled}, key=lambda k: (k is None, k)
        )
        for key in keys:
            rooms, available = units.get(key, (0, 0))
            name = villages.get(key) or _no_village()
            rows.append(
                _homestay_row(key, name, name, rooms, available, sold.get((key,)), cancelled.get((key,)))
            )
    else:
        titles = _translated_titles([page.translation_key for page in pages])
        for page in pages:
            rooms, available = capacity.get(page.pk, (0, 0))
            rows.append(
                _homestay_row(
                    page.pk,
                    titles.get(page.translation_key, page.title),
                    villages.get(page.village_id) or _no_village(),
                    rooms,
                    available,
                    sold.get((page.pk,)),
                    cancelled.get((page.pk,)),
                )
            )
        # Sales of homestays deleted since (their lines keep the page id): one row, not lost.
        known = {(page.pk,) for page in pages}
        gone_sold = [figures for key, figures in sold.items() if key not in known]
        gone_cancelled = [figures for key, figures in cancelled.items() if key not in known]
        if gone_sold or gone_cancelled:
            rows.append(
                _homestay_row(
                    None,
                    gettext("Removed homestays"),
                    "",
                    0,
                    0,
                    _sum_dicts(gone_sold),
                    _sum_dicts(gone_cancelled),
                )
            )
    total = HomestayRow(
        key=None,
        name=gettext("Total"),
        village="",
        rooms=sum(r.rooms for r in rows),
        room_nights_available=sum(r.room_nights_available for r in rows),
        nights_sold=sum(r.nights_sold for r in rows),
        occupancy=None,
        revenue_fen=sum(r.revenue_fen for r in rows),
        average_nightly_fen=None,
        cancellations=sum(r.cancellations for r in rows),
        cancelled_nights=sum(r.cancelled_nights for r in rows),
        is_total=True,
    )
    for r in [*rows, total]:
        r.occupancy = _ratio(r.nights_sold, r.room_nights_available)
        r.average_nightly_fen = r.revenue_fen // r.nights_sold if r.nights_sold else None
    return [*rows, total]


# --- tours and events -------------------------------------------------------------------------


def _seat_figures(lines, by):
    """Seats (or tickets) sold, checked in and net revenue, per ``by``."""
    return _aggregate(
        lines,
        [by],
        counts={
            "sold": Sum("quantity"),
            "checked_in": Sum("quantity", filter=Q(voucher__used_at__isnull=False)),
        },
        money={"revenue": _identity},
    )


def _village_of(prefix, place):
    """The money's village of an experience or event in SQL: its own, else its meeting point's or
    venue's (``ExperiencePage.village_id_for_money``)."""
    return Coalesce(F(f"{prefix}village_id"), F(f"{prefix}{place}__village_id"))


def _tour_event_row(key, kind, date, name, village, capacity, figures):
    figures = figures or {}
    sold, checked_in = figures.get("sold", 0), figures.get("checked_in", 0)
    return TourEventRow(
        key=key,
        kind=kind,
        date=date,
        name=name,
        village=village,
        capacity=capacity,
        sold=sold,
        fill_rate=_ratio(sold, capacity),
        checked_in=checked_in,
        attendance_rate=_ratio(checked_in, sold),
        revenue_fen=figures.get("revenue", 0),
    )


def _seat_rows(places, lines, by, prefix, *, dated):
    """A row for each of ``places`` (slots, experiences or events, as ``place_*`` values) with
    what ``lines`` sold, grouped ``by`` the line field that points at the place."""
    places = list(places)
    sold = _seat_figures(lines, by)
    villages = _village_names(place["place_village"] for place in places)
    titles = _translated_titles({place["place_tkey"] for place in places})
    return [
        _tour_event_row(
            f"{prefix}:{place['place_key']}",
            "event" if prefix == "event" else ReservationKind.TOUR.value,
            timezone.localtime(place["place_start"], _tz()).date() if dated else None,
            titles.get(place["place_tkey"], place["place_title"]),
            villages.get(place["place_village"]) or _no_village(),
            int(place["place_capacity"] or 0),
            sold.get((place["place_key"],)),
        )
        for place in places
    ]


@_cached
def tour_event_rows(period: Period, village_id: int | None = None, group: str = "slot") -> list[TourEventRow]:
    """One row per tour slot (``"slot"``) or experience (``"experience"``) and one per event
    starting in the period, by date, then a total row."""
    start, end = local_midnight(period.start), local_midnight(period.end)
    slots = TourSlot.objects.filter(starts_at__gte=start, starts_at__lt=end).annotate(
        money_village=_village_of("experience__", "meeting_point"),
        seats=Case(
            When(status=TourSlotStatus.CANCELLED, then=Value(0)),
            default=Coalesce(F("capacity"), F("experience__capacity")),
            output_field=IntegerField(),
        ),
    )
    events = EventPage.objects.filter(locale=Locale.get_default(), start__gte=start, start__lt=end).annotate(
        money_village=_village_of("", "venue")
    )
    tours = sold_lines().filter(_service_window(period, [ReservationKind.TOUR]))
    tickets = sold_lines().filter(_service_window(period, [ReservationKind.TICKET]))
    if village_id is not None:
        slots = slots.filter(money_village=village_id)
        events = events.filter(money_village=village_id)
        tours, tickets = tours.filter(village_id=village_id), tickets.filter(village_id=village_id)

    if group == "experience":
        experiences = (
            slots.values(
                place_key=F("experience"),
                place_title=F("experience__title"),
                place_tkey=F("experience__translation_key"),
                place_village=F("money_village"),
            )
            .annotate(place_capacity=Sum("seats"), place_start=Min("starts_at"))
            .order_by("place_start")
        )
        rows = _seat_rows(experiences, tours, "page_id_snapshot", "experience", dated=False)
    else:
        each_slot = slots.values(
            place_key=F("pk"),
            place_title=F("experience__title"),
            place_tkey=F("experience__translation_key"),
            place_village=F("money_village"),
            place_capacity=F("seats"),
            place_start=F("starts_at"),
        ).order_by("starts_at", "pk")
        rows = _seat_rows(each_slot, tours, "object_id", "slot", dated=True)
    each_event = (
        events.annotate(
            tickets=Coalesce(
                Subquery(
                    TicketType.objects.filter(page=OuterRef("pk"))
                    .values("page")
                    .annotate(total=Sum("capacity"))
                    .values("total")[:1]
                ),
                Value(0),
            )
        )
        .values(
            place_key=F("pk"),
            place_title=F("title"),
            place_tkey=F("translation_key"),
            place_village=F("money_village"),
            place_capacity=F("tickets"),
            place_start=F("start"),
        )
        .order_by("start", "pk")
    )
    rows += _seat_rows(each_event, tickets, "page_id_snapshot", "event", dated=True)
    rows.sort(key=lambda r: (r.date or period.start, r.kind != "tour", r.name))
    total = _tour_event_row(
        None,
        "",
        None,
        gettext("Total"),
        "",
        sum(r.capacity for r in rows),
        {
            "sold": sum(r.sold for r in rows),
            "checked_in": sum(r.checked_in for r in rows),
            "revenue": sum(r.revenue_fen for r in rows),
        },
    )
    total.is_total = True
    return [*rows, total]


# --- shop -------------------------------------------------------------------------------------

FULFILLED = (FulfilmentStatus.HANDED_OVER, FulfilmentStatus.SHIPPED)


def _shop_figures(lines, group):
    fulfilled = Q(fulfilment__status__in=FULFILLED)
    waited = ExpressionWrapper(
        F("fulfilment__updated_at") - F("order__created_at"), output_field=DurationField()
    )
    return _aggregate(
        lines,
        group,
        counts={
            "orders": Count("order", distinct=True),
            "units": Sum("quantity"),
            "lines": Count("pk"),
            "fulfilled": Count("pk", filter=fulfilled),
        },
        averages={"waited": Avg(waited, filter=fulfilled)},
        money={"revenue": _identity},
    )


def _hours(waited):
    """The average wait in hours; SQLite's average of a duration comes back in microseconds."""
    if waited is None:
        return None
    if isinstance(waited, datetime.timedelta):
        return round(waited.total_seconds() / 3600, 1)
    return round(float(waited) / 3_600_000_000, 1)


def _shop_row(key, name, supported, figures):
    figures = figures or {}
    return ShopRow(
        key=str(key),
        name=name,
        supported_household=supported,
        orders=figures.get("orders", 0),
        units=figures.get("units", 0),
        revenue_fen=figures.get("revenue", 0),
        fulfilled=figures.get("fulfilled", 0),
        open=figures.get("lines", 0) - figures.get("fulfilled", 0),
        average_fulfilment_hours=_hours(figures.get("waited")),
    )


@_cached
def shop_rows(period: Period, village_id: int | None = None, group: str = "producer") -> list[ShopRow]:
    """One row per producer, village or category (``group``), then a total row."""
    lines = sold_lines().filter(_service_window(period, [ReservationKind.PRODUCT]))
    if village_id is not None:
        lines = lines.filter(village_id=village_id)
    product = Product.objects.filter(pk=OuterRef("object_id"))
    if group == "category":
        lines, by = lines.annotate(category=Subquery(product.values("category")[:1])), "category"
    elif group == "village":
        by = "village_id"
    else:
        lines, by = lines.annotate(producer=Subquery(product.values("producer_id")[:1])), "producer"
    figures = _shop_figures(lines, [by])
    rows = []
    if group not in ("category", "village"):
        producers = {p.pk: p for p in Producer.objects.filter(pk__in=[k[0] for k in figures if k[0]])}
        for (pk,), f in figures.items():
            producer = producers.get(pk)
            name = producer.display_name if producer else gettext("Removed products")
            rows.append(_shop_row(pk, name, producer.supported_household if producer else None, f))
    elif group == "village":
        names = _village_names(k[0] for k in figures)
        for (pk,), f in figures.items():
            rows.append(_shop_row(pk if pk is not None else "", names.get(pk) or _no_village(), None, f))
    else:
        labels = dict(ProductCategory.choices)
        for (value,), f in figures.items():
            rows.append(
                _shop_row(value or "", str(labels.get(value, value or gettext("Removed products"))), None, f)
            )
    rows.sort(key=lambda r: (-r.revenue_fen, r.name))
    totals = _shop_figures(lines.annotate(everything=Value(1)), ["everything"]).get((1,))
    total = _shop_row("", gettext("Total"), None, totals)
    total.is_total = True
    return [*rows, total]


# --- money by month and village ---------------------------------------------------------------

KIND_FIELDS = {
    ReservationKind.STAY: "stays_fen",
    ReservationKind.TOUR: "tours_fen",
    ReservationKind.TICKET: "tickets_fen",
    ReservationKind.PRODUCT: "produce_fen",
}


MONTHLY_FIELDS = [
    *KIND_FIELDS.values(),
    "supported_fen",
    "nights",
    "tour_seats",
    "tickets_sold",
    "produce_units",
]


def _monthly(period: Period, village_id: int | None = None) -> dict:
    """``{(month, village id): figures}`` over ``period``: each kind's net (``stays_fen``...),
    what reached supported households (``supported_fen``), and ``nights``, ``tour_seats``,
    ``tickets_sold``, ``produce_units``. Four queries, whatever the number of orders or months."""
    lines = sold_lines().alias(supported=_supported())
    if village_id is not None:
        lines = lines.filter(village_id=village_id)
    months = months_of(period)
    result = {}

    def bucket(month, village):
        return result.setdefault((month, village), dict.fromkeys(MONTHLY_FIELDS, 0))

    # Stays: each month's nights and its share of the money, as columns of one query.
    counts, money = {}, {}
    for i, piece in enumerate(months):
        counts[f"nights{i}"] = Sum(F("quantity") * _nights_in(piece), output_field=BigIntegerField())
        money[f"net{i}"] = _stay_share(piece)
        money[f"supported{i}"] = _only(Q(supported=True), _stay_share(piece))
    stays = lines.filter(_service_window(period, [ReservationKind.STAY]))
    for (village,), figures in _aggregate(stays, ["village_id"], counts=counts, money=money).items():
        for i, piece in enumerate(months):
            b = bucket(month_start(piece.start), village)
            b["stays_fen"] += figures[f"net{i}"]
            b["supported_fen"] += figures[f"supported{i}"]
            b["nights"] += figures[f"nights{i}"]

    # Tours, tickets and produce: one service date each, grouped by its local month.
    served = Case(
        When(kind=ReservationKind.PRODUCT, then=F("order__created_at")),
        default=F("starts_at"),
        output_field=DateTimeField(),
    )
    others = lines.filter(
        _service_window(period, [ReservationKind.TOUR, ReservationKind.TICKET, ReservationKind.PRODUCT])
    ).annotate(month=TruncMonth(served, tzinfo=_tz()))
    figures_by = _aggregate(
        others,
        ["month", "village_id", "kind"],
        counts={"units": Sum("quantity")},
        money={"net": _identity, "supported": _only(Q(supported=True))},
    )
    units_field = {
        ReservationKind.TOUR: "tour_seats",
        ReservationKind.TICKET: "tickets_sold",
        ReservationKind.PRODUCT: "produce_units",
    }
    for (month, village, kind), figures in figures_by.items():
        if isinstance(month, datetime.datetime):
            month = timezone.localtime(month, _tz()).date() if timezone.is_aware(month) else month.date()
        b = bucket(month_start(month), village)
        b[KIND_FIELDS[kind]] += figures["net"]
        b["supported_fen"] += figures["supported"]
        b[units_field[kind]] += figures["units"]
    return result


def _total(figures) -> int:
    return sum(figures[name] for name in KIND_FIELDS.values())


@_cached
def prosperity_rows(period: Period, village_id: int | None = None) -> list[ProsperityRow]:
    """Month by month: one row per village with sales, then the month's total row."""
    monthly = _monthly(period, village_id)
    names = _village_names(village for _month, village in monthly)

    def row(month, village, name, figures, is_total=False):
        total = _total(figures)
        return ProsperityRow(
            month=month,
            village_id=village,
            village=name,
            stays_fen=figures["stays_fen"],
            tours_fen=figures["tours_fen"],
            tickets_fen=figures["tickets_fen"],
            produce_fen=figures["produce_fen"],
            total_fen=total,
            supported_fen=figures["supported_fen"],
            supported_share=_ratio(figures["supported_fen"], total),
            is_total=is_total,
        )

    rows = []
    for piece in months_of(period):
        month = month_start(piece.start)
        villages = sorted(
            (v for m, v in monthly if m == month), key=lambda v: (v is None, names.get(v) or "", v or 0)
        )
        month_rows = [row(month, v, names.get(v) or _no_village(), monthly[(month, v)]) for v in villages]
        month_rows = [r for r in month_rows if r.total_fen]
        all_villages = _sum_dicts(monthly[(month, v)] for v in villages) or dict.fromkeys(MONTHLY_FIELDS, 0)
        rows += [*month_rows, row(month, None, gettext("All villages"), all_villages, is_total=True)]
    return rows


# --- the dashboard and the public block -------------------------------------------------------


def _metric_values(monthly, capacity, month):
    figures = _sum_dicts(f for (m, _v), f in monthly.items() if m == month)
    total = _total(figures) if figures else 0
    in_villages = _sum_dicts(f for (m, v), f in monthly.items() if m == month and v is not None)
    return {
        "nights_sold": figures.get("nights", 0),
        "occupancy": _ratio(figures.get("nights", 0), capacity),
        "tour_seats": figures.get("tour_seats", 0),
        "tickets_sold": figures.get("tickets_sold", 0),
        "produce_fen": figures.get("produce_fen", 0),
        "village_fen": _total(in_villages) if in_villages else 0,
        "supported_share": _ratio(figures.get("supported_fen", 0), total),
    }


def metric_labels():
    return {
        "nights_sold": (gettext("Nights sold"), "count"),
        "occupancy": (gettext("Homestay occupancy"), "percent"),
        "tour_seats": (gettext("Tour seats sold"), "count"),
        "tickets_sold": (gettext("Tickets sold"), "count"),
        "produce_fen": (gettext("Produce sales"), "fen"),
        "village_fen": (gettext("Revenue reaching villages"), "fen"),
        "supported_share": (gettext("Share to supported households"), "percent"),
    }


@_cached
def dashboard(today: datetime.date | None = None) -> Dashboard:
    """This month (every booking made so far for it: stays and tours are booked ahead) against the
    whole of last month and of the same month last year, and the last 12 months' revenue for the
    trend chart."""
    month = month_start(today or timezone.localdate())
    compared = [month, add_months(month, -1), add_months(month, -12)]
    monthly = _monthly(Period(add_months(month, -12), add_months(month, 1)))
    pages = list(HomestayPage.objects.live().filter(locale=Locale.get_default()).only("pk"))
    values = []
    for m in compared:
        available = sum(
            rooms_nights for _rooms, rooms_nights in _homestay_capacity(pages, month_period(m)).values()
        )
        values.append(_metric_values(monthly, available, m))
    metrics = [
        Metric(key, label, unit, values[0][key], values[1][key], values[2][key])
        for key, (label, unit) in metric_labels().items()
    ]
    series = []
    for i in range(11, -1, -1):
        m = add_months(month, -i)
        # Money reaching villages, as the "village_fen" metric counts it.
        figures = _sum_dicts(f for (fm, v), f in monthly.items() if fm == m and v is not None)
        series.append(MonthFigure(m, _total(figures) if figures else 0, figures.get("supported_fen", 0)))
    return Dashboard(month=month, metrics=metrics, revenue_by_month=series)


SEASONS = {
    12: "winter",
    1: "winter",
    2: "winter",
    3: "spring",
    4: "spring",
    5: "spring",
    6: "summer",
    7: "summer",
    8: "summer",
    9: "autumn",
    10: "autumn",
    11: "autumn",
}


def season_of(today: datetime.date) -> tuple[str, Period]:
    """The meteorological season containing ``today``, from its first day to ``today`` included."""
    name = SEASONS[today.month]
    first = {"winter": 12, "spring": 3, "summer": 6, "autumn": 9}[name]
    start = datetime.date(today.year - 1 if first == 12 and today.month < 12 else today.year, first, 1)
    labels = {
        "spring": gettext("Spring %(year)s"),
        "summer": gettext("Summer %(year)s"),
        "autumn": gettext("Autumn %(year)s"),
        "winter": gettext("Winter %(year)s"),
    }
    return labels[name] % {"year": start.year}, Period(start, today + datetime.timedelta(days=1))


@_cached
def town_in_numbers(today: datetime.date | None = None) -> TownInNumbers:
    """The season so far (spring Mar-May, summer Jun-Aug, autumn Sep-Nov, winter Dec-Feb, to
    today included), anonymised: no household and no single sale can be read from it."""
    label, period = season_of(today or timezone.localdate())
    visits = [ReservationKind.STAY, ReservationKind.TOUR, ReservationKind.TICKET]
    in_season = sold_lines().filter(_service_window(period))
    counted = in_season.alias(supported=_supported()).aggregate(
        visitors=Coalesce(Sum("guests", filter=Q(kind__in=visits)), 0),
        # Distinct supported households with sales: below MIN_HOUSEHOLDS their share is not shown.
        households=Count("seller", distinct=True, filter=Q(supported=True)),
    )
    monthly = _monthly(period)
    by_village = {}
    for (_month, village), figures in monthly.items():
        if village is not None:
            by_village[village] = by_village.get(village, 0) + _total(figures)
    everything = _sum_dicts(monthly.values())
    in_villages = sum(by_village.values())
    names = _village_names(by_village)
    shares = sorted(
        (VillageShare(names.get(v, ""), fen / in_villages) for v, fen in by_village.items() if fen > 0),
        key=lambda share: -share.share,
    )
    total = _total(everything) if everything else 0
    supported_share = None
    if counted["households"] >= MIN_HOUSEHOLDS:
        supported_share = _ratio(everything.get("supported_fen", 0), total)
    return TownInNumbers(
        season=label,
        period=period,
        visitors=counted["visitors"],
        produce_units=everything.get("produce_units", 0),
        produce_fen=everything.get("produce_fen", 0),
        village_shares=shares[:5],
        villages_reached=len(shares),
        supported_share=supported_share,
    )
