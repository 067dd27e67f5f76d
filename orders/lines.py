"""What can go in the basket: one ``LineKind`` handler per kind of line, in a registry.

The basket, the checkout and the order know lines only through this interface, so tours, event
tickets and products join by registering a handler from their own app (``register_line_kind`` in
their ``AppConfig.ready``). The stay handler lives here because homestays came first; it only
delegates to homestays' pricing and availability.

A "line" handed to a handler is anything with ``kind``, ``object_id``, ``start_date``,
``end_date``, ``guests`` and ``quantity`` (a ``BasketLine``, or an unsaved one). Prices are
always computed here, on the server; nothing a client posts is a price.

Every handler sells the row that carries the inventory: an id from a translated page (an English
room type, ...) is resolved with ``canonical_id`` before anything is checked, priced or claimed,
so a line validated from a copy is stored, priced and claimed as the original.
"""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .exceptions import ReservationError
from .inventory import canonical_id
from .models import ReservationKind
from .money import Money
from .services import Claim, local_today

MAX_QUANTITY = 10


class LineInvalid(Exception):
    """Bad line data: ``errors`` maps a field name to a message."""

    def __init__(self, errors):
        self.errors = {key: str(value) for key, value in errors.items()}
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass(frozen=True)
class CleanedLine:
    kind: str
    object_id: int
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    guests: int = 1
    quantity: int = 1
    # Kind-specific choices stored on the basket and order line (BasketLine.options).
    options: dict = field(default_factory=dict)


@dataclass
class LinePrice:
    total: Money
    unit: Money
    nights: int | None = None
    breakdown: list = field(default_factory=list)


@dataclass
class LineSnapshot:
    """What an order line keeps of the thing sold, whatever happens to it later."""

    title: str
    item_name: str = ""
    cancellation_policy: str = ""
    starts_at: datetime.datetime | None = None
    provider_user: object = None
    page_id: int | None = None
    # The village the money reaches (attractions.Village pk), for filters and reports.
    village_id: int | None = None
    # How this item may be paid: {"online", "offline"} (provider.online); None: any way.
    payment_ways: set | None = None


class LineKind:
    kind = ""

    def validate(self, data: dict) -> CleanedLine:
        raise NotImplementedError

    def price(self, line) -> LinePrice:
        """Raises ``ReservationError`` when the line cannot be priced (closed, gone)."""
        raise NotImplementedError

    def claims(self, line) -> list[Claim]:
        raise NotImplementedError

    def describe(self, line) -> str:
        raise NotImplementedError

    def availability(self, line, *, now=None) -> tuple[bool, str]:
        raise NotImplementedError

    def snapshot(self, line) -> LineSnapshot:
        raise NotImplementedError


_registry: dict[str, LineKind] = {}


def register_line_kind(handler: LineKind) -> LineKind:
    _registry[handler.kind] = handler
    return handler


def get_line_kind(kind) -> LineKind:
    try:
        return _registry[kind]
    except (KeyError, TypeError):
        raise LineInvalid({"kind": _("This kind of item cannot be booked online.")}) from None


def registered_kinds():
    return sorted(_registry)


# --- helpers for validate() -------------------------------------------------------------------


def positive_int(data, name, *, maximum, default=None, message=None):
    value = data.get(name, default)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise LineInvalid(
            {name: message or _("Please give a whole number from 1 to %(n)d.") % {"n": maximum}}
        )
    return value


def int_field(errors, data, name, *, maximum, default=None, message=None):
    """``positive_int`` that records its message in ``errors`` and gives None, so a line reports
    every bad field at once instead of the first."""
    try:
        return positive_int(data, name, maximum=maximum, default=default, message=message)
    except LineInvalid as exc:
        errors.update(exc.errors)
        return None


def a_date(data, name):
    value = data.get(name)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise LineInvalid({name: _("Please give a date as YYYY-MM-DD.")})


# --- stays ------------------------------------------------------------------------------------


class StayLine(LineKind):
    kind = ReservationKind.STAY

    def _room_type(self, object_id):
        """The live default-locale room type that ``object_id`` (maybe a translation's) sells."""
        from homestays.models import RoomType

        pk = canonical_id(self.kind, object_id)
        if pk is None:
            return None
        return RoomType.objects.filter(pk=pk, page__live=True).select_related("page", "page__host").first()

    def validate(self, data):
        from homestays import pricing

        errors = {}
        room_type_id = int_field(
            errors, data, "room_type_id", maximum=2**53, message=_("Please choose a room.")
        )
        dates = {}
        for name in ("check_in", "check_out"):
            try:
                dates[name] = a_date(data, name)
            except LineInvalid as exc:
                errors.update(exc.errors)
        rooms = int_field(errors, data, "rooms", maximum=MAX_QUANTITY, default=1) or 1
        guests = int_field(errors, data, "guests", maximum=MAX_QUANTITY * 20)
        if len(dates) == 2:
            check_in, check_out = dates["check_in"], dates["check_out"]
            if check_in < local_today():
                errors["check_in"] = _("Check-in cannot be in the past.")
            elif check_out <= check_in:
                errors["check_out"] = _("Check-out must be after check-in.")
            elif (check_out - check_in).days > pricing.MAX_NIGHTS:
                errors["check_out"] = _("A stay can be at most %(n)d nights.") % {"n": pricing.MAX_NIGHTS}
        room_type = self._room_type(room_type_id) if room_type_id else None
        if room_type_id and room_type is None:
            errors["room_type_id"] = _("This room does not exist.")
        if room_type is not None:
            if rooms > room_type.units:
                errors["rooms"] = _("This homestay has only %(n)d rooms of this type.") % {
                    "n": room_type.units
                }
            elif guests and guests > room_type.max_guests * rooms:
                errors["guests"] = _(
                    "This room sleeps at most %(n)d guests; choose more rooms or another room."
                ) % {"n": room_type.max_guests}
        if errors:
            raise LineInvalid(errors)
        return CleanedLine(
            kind=self.kind,
            object_id=room_type.pk,
            start_date=dates["check_in"],
            end_date=dates["check_out"],
            guests=guests,
            quantity=rooms,
        )

    def price(self, line):
        from homestays import pricing
        from homestays.inventory import rules_for

        room_type = self._room_type(line.object_id)
        if room_type is None:
            raise ReservationError(_("This room can no longer be booked."))
        rules = rules_for([room_type.pk], line.start_date, line.end_date)
        quote = pricing.quote(room_type, line.start_date, line.end_date, rules)
        unit = Money(quote.total_fen)
        return LinePrice(
            total=unit * line.quantity,
            unit=unit,
            nights=quote.night_count,
            breakdown=[{"night": n.night.isoformat(), "price_fen": n.price_fen} for n in quote.nights],
        )

    def claims(self, line):
        return [Claim(self.kind, line.object_id, line.quantity, line.start_date, line.end_date)]

    def describe(self, line):
        room_type = self._room_type(line.object_id)
        name = str(room_type) if room_type else gettext("A room no longer offered")
        nights = (line.end_date - line.start_date).days
        return gettext("%(room)s, %(check_in)s to %(check_out)s (%(nights)d nights), %(guests)d guests") % {
            "room": name,
            "check_in": line.start_date.isoformat(),
            "check_out": line.end_date.isoformat(),
            "nights": nights,
            "guests": line.guests,
        } + (gettext(", %(n)d rooms") % {"n": line.quantity} if line.quantity > 1 else "")

    def availability(self, line, *, now=None):
        from homestays.selectors import quote_stay

        room_type = self._room_type(line.object_id)
        if room_type is None:
            return False, gettext("This room can no longer be booked.")
        if line.start_date < local_today(now):
            return False, gettext("These dates are in the past.")
        try:
            quote_stay(room_type, line.start_date, line.end_date, rooms=line.quantity, now=now)
        except ReservationError as exc:
            return False, str(exc.message)
        return True, ""

    def snapshot(self, line):
        room_type = self._room_type(line.object_id)
        page = room_type.page
        ways = set()
        if page.accepts_payment_on_site:
            ways.add("offline")
        if page.accepts_online_payment:
            ways.add("online")
        starts_at = datetime.datetime.combine(
            line.start_date, page.check_in_time, tzinfo=ZoneInfo(settings.TIME_ZONE)
        )
        return LineSnapshot(
            title=page.title,
            item_name=room_type.name,
            cancellation_policy=page.cancellation_policy,
            starts_at=starts_at,
            provider_user=page.host,
            page_id=page.pk,
            village_id=page.village_id,
            payment_ways=ways,
        )


register_line_kind(StayLine())
