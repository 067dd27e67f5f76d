"""The price of a night, as a policy: pure functions over a room type and its rate rules.

Callers load the rules (one query for many room types) and pass them in, so a search over a
hundred homestays prices every night in Python without another query.

Per night: the latest-created price override covering it; else the weekend price on Friday and
Saturday nights (when set); else the base price. A closed night has no price: it cannot be sold.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from orders.exceptions import DatesUnavailable, InvalidClaim

from .models import RateRuleKind, RoomRateRule

MAX_NIGHTS = 30
WEEKEND_NIGHTS = {4, 5}  # Friday and Saturday nights (date.weekday())


@dataclass(frozen=True)
class NightPrice:
    night: date
    price_fen: int


@dataclass(frozen=True)
class Quote:
    room_type_id: int
    check_in: date
    check_out: date
    nights: list[NightPrice] = field(default_factory=list)
    min_nights: int = 1

    @property
    def total_fen(self) -> int:
        return sum(n.price_fen for n in self.nights)

    @property
    def night_count(self) -> int:
        return len(self.nights)


def nights_between(check_in: date, check_out: date) -> list[date]:
    return [check_in + timedelta(days=i) for i in range((check_out - check_in).days)]


def _rules_for(room_type, rules):
    return [r for r in rules if r.room_type_id == room_type.pk]


def _latest(rules):
    # "Latest-created wins": created_at, then pk for rows saved within the same instant.
    return max(rules, key=lambda r: (r.created_at, r.pk or 0))


def night_price(room_type, night: date, rules) -> int | None:
    """The price of ``night`` in fen, or None when a closure covers it."""
    covering = [r for r in _rules_for(room_type, rules) if r.start_date <= night <= r.end_date]
    if any(r.kind == RateRuleKind.CLOSED for r in covering):
        return None
    overrides = [r for r in covering if r.kind == RateRuleKind.PRICE]
    if overrides:
        return _latest(overrides).price_fen
    if night.weekday() in WEEKEND_NIGHTS and room_type.weekend_price_fen is not None:
        return room_type.weekend_price_fen
    return room_type.base_price_fen


def is_closed(room_type, night: date, rules) -> bool:
    return any(
        r.kind == RateRuleKind.CLOSED and r.start_date <= night <= r.end_date
        for r in _rules_for(room_type, rules)
    )


def min_nights_for(room_type, check_in: date, check_out: date, rules) -> int:
    """The room type's minimum, raised by any minimum-nights rule touching one of the nights."""
    last_night = check_out - timedelta(days=1)
    touching = [
        r.min_nights
        for r in _rules_for(room_type, rules)
        if r.kind == RateRuleKind.MIN_NIGHTS and r.start_date <= last_night and r.end_date >= check_in
    ]
    return max([room_type.min_nights, *touching])


def check_stay_dates(check_in: date, check_out: date) -> None:
    if check_out <= check_in:
        raise InvalidClaim(_("Check-out must be after check-in."))
    if (check_out - check_in).days > MAX_NIGHTS:
        raise InvalidClaim(_("A stay can be at most %(n)d nights.") % {"n": MAX_NIGHTS})


def quote(room_type, check_in: date, check_out: date, rules) -> Quote:
    """Price a stay; raises DatesUnavailable (closed night, stay too short) or InvalidClaim."""
    check_stay_dates(check_in, check_out)
    nights = nights_between(check_in, check_out)
    minimum = min_nights_for(room_type, check_in, check_out, rules)
    if len(nights) < minimum:
        raise DatesUnavailable(_("This room needs a stay of at least %(n)d nights.") % {"n": minimum})
    priced = []
    for night in nights:
        price = night_price(room_type, night, rules)
        if price is None:
            raise DatesUnavailable(
                _("This room is closed on %(date)s.") % {"date": date_format(night, "DATE_FORMAT")}
            )
        priced.append(NightPrice(night, price))
    return Quote(room_type.pk, check_in, check_out, priced, minimum)


def lowest_base_price(room_types) -> int | None:
    prices = [rt.base_price_fen for rt in room_types]
    return min(prices) if prices else None


# The same rules as SQL, for searches that must filter and sort a whole town's room types before
# loading any (issue 21). They mirror the functions above line for line; the tests hold each pair
# equal on a varied fixture (tests/homestays/test_search_sql.py), and a page's shown prices still
# come from ``quote``.


def blocked_room_types(check_in: date, check_out: date):
    """SQL: the ids (``values("room_type_id")``) of room types a rule shuts for this stay, where
    ``quote`` would raise: a closure on one of its nights, or a minimum-nights rule touching them
    that the stay is shorter than. The room type's own ``min_nights`` is a plain field: filter it
    apart. Narrowed to one room type (``room_type_id=OuterRef("pk")``), it is answered from the
    index led by the room type and its kind of rule."""
    nights = (check_out - check_in).days
    last_night = check_out - timedelta(days=1)
    return (
        RoomRateRule.objects.filter(
            kind__in=[RateRuleKind.CLOSED, RateRuleKind.MIN_NIGHTS],
            end_date__gte=check_in,
            start_date__lte=last_night,
        )
        .filter(Q(kind=RateRuleKind.CLOSED) | Q(min_nights__gt=nights))
        .order_by()
        .values("room_type_id")
    )


def stay_total_sql(check_in: date, check_out: date):
    """SQL: the total of an open stay in fen for the room type of the row (``Quote.total_fen``):
    per night the latest-created override, else the weekend price on Friday and Saturday nights,
    else the base price. Meaningless for a stay ``blocked_stay`` refuses."""
    total = None
    for night in nights_between(check_in, check_out):
        override = (
            RoomRateRule.objects.filter(
                room_type=OuterRef("pk"),
                kind=RateRuleKind.PRICE,
                start_date__lte=night,
                end_date__gte=night,
            )
            .order_by("-created_at", "-pk")
            .values("price_fen")[:1]
        )
        usual = (
            Coalesce(F("weekend_price_fen"), F("base_price_fen"), output_field=IntegerField())
            if night.weekday() in WEEKEND_NIGHTS
            else F("base_price_fen")
        )
        price = Coalesce(Subquery(override), usual, output_field=IntegerField())
        total = price if total is None else total + price
    return ExpressionWrapper(total, output_field=IntegerField()) if total is not None else Value(0)
