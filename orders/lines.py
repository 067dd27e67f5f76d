"""What can go in the basket: one ``LineKind`` handler per kind of line, in a registry.

The basket, the checkout and the order know lines only through this interface: stays, tours,
event tickets and produce join by registering a handler from their own app
(``register_line_kind`` in their ``AppConfig.ready``). The core names no kind; each handler
declares the name its lines are stored under (``LineKind.kind``).

A "line" handed to a handler is anything with ``kind``, ``object_id``, ``start_date``,
``end_date``, ``guests``, ``quantity`` and ``options`` (a ``BasketLine``, or an unsaved one).
Prices are always computed here, on the server; nothing a client posts is a price.

Many lines at once: ``prepare(lines)`` loads what the lines of one kind need (their rows, the
rules on them, their live claims) in a number of queries that does not grow with the lines, as
pretix's ``QuotaAvailability`` counts many quotas at once. ``check_lines`` prices and checks a
whole basket so, kind by kind; the single-line methods take a prepared ``batch`` (and prepare a
batch of one without), so one line and a basket of twenty go through the same code.

Every handler sells the row that carries the inventory: an id from a translated page (an English
room type, ...) is resolved with the inventory's ``canonical_ids`` before anything is checked,
priced or claimed, so a line validated from a copy is stored, priced and claimed as the original.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .exceptions import ReservationError
from .inventory import get_inventory
from .money import Money
from .policies import refund_percent
from .reservations import Claim


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

    # As the thing is called in the default locale (what hosts, farmers and staff read) ...
    title: str
    item_name: str = ""
    # ... and in the language the order is placed in (the visitor's); "": the same.
    translated_title: str = ""
    translated_item_name: str = ""
    cancellation_policy: str = ""
    starts_at: datetime.datetime | None = None
    provider_user: object = None
    page_id: int | None = None
    # The village the money reaches (town.Village pk), for filters and reports.
    village_id: int | None = None
    # How this item may be paid: {"online", "offline"} (provider.online); None: any way.
    payment_ways: set | None = None


@dataclass
class Whereabouts:
    """Where a guest is, for a delivery: the place's name, its address and who answers there."""

    name: str
    address: str = ""
    phone: str = ""


@dataclass
class LineCheck:
    """A line as the basket shows it: its title, and its price unless it cannot be had now."""

    line: object
    title: str
    price: LinePrice | None
    error: ReservationError | None = None
    # The title in two parts (``LineKind.describe_parts``): what it is, and the rest.
    name: str = ""
    details: str = ""

    @property
    def available(self):
        return self.error is None

    @property
    def reason(self):
        return str(self.error.message) if self.error is not None else ""

    @property
    def total_fen(self):
        return self.price.total.fen if self.price else 0


class LineKind:
    # The name this kind's lines, order lines and reservations are stored under ("stay", ...).
    kind = ""
    # The fields this kind reads from a posted line, {name: type}; the API's input schema is made
    # of every registered kind's (each optional there: a line sends its own kind's).
    input_fields: dict = {}
    # True for a kind whose lines are nights in the town (start_date to end_date): what else the
    # town offers is suggested for those days (``orders.stay_suggestions``).
    is_a_stay = False
    # True for a kind whose sold lines can be given back some units at a time (3 of 5 tickets):
    # each unit is priced alike and claims one unit. Other kinds are cancelled line by line.
    cancels_in_part = False
    # True for a kind whose sold lines can move to other dates, and to another item of the same
    # provider, in one step (``orders.stay_change``): ``changed`` and ``change_choices`` say how.
    changes_dates = False

    def validate(self, data: dict) -> CleanedLine:
        raise NotImplementedError

    def prepare(self, lines, *, now=None):
        """Load what the methods below need for all ``lines`` (of this kind) in a fixed number of
        queries, whatever their number; they read only the result, handed to them as ``batch``."""
        raise NotImplementedError

    def _batch(self, line, batch, now=None):
        return batch if batch is not None else self.prepare([line], now=now)

    def price(self, line, batch=None) -> LinePrice:
        """Raises ``ReservationError`` when the line cannot be priced (closed, gone)."""
        raise NotImplementedError

    def check(self, line, batch=None, *, now=None) -> None:
        """Raise a ``ReservationError`` (``SoldOut``, ``DatesUnavailable``, ...) with the reason
        when the line cannot be had at ``now``; its ``code`` is the one the API answers with."""
        raise NotImplementedError

    def claims(self, line) -> list[Claim]:
        raise NotImplementedError

    def describe(self, line, batch=None) -> str:
        """The line in words; a vanished item still describes itself (as no longer offered)."""
        name, details = self.describe_parts(line, batch)
        return f"{name} · {details}" if details else name

    def describe_parts(self, line, batch=None) -> tuple[str, str]:
        """(what it is, the rest: when, how many, where), in the active language, so a page can
        set the name apart from the details; ``describe`` joins them."""
        raise NotImplementedError

    def snapshot(self, line, batch=None) -> LineSnapshot:
        """What the order keeps; ``translated_*`` in the active language (checkout activates the
        order's)."""
        raise NotImplementedError

    # --- how a line of this kind speaks of itself: basket, checkout, order page, e-mail, API

    def seller(self, snapshot) -> object:
        """The user owed the money of a line of this kind (its host, its farmer), from what the
        line keeps (``snapshot``); None when the town itself sells it (tickets, entries). Kept on
        the order line at the sale with its terms (``orders.sellers``)."""
        return None

    def note_label(self, line=None) -> str:
        """The label of the visitor's note on a line of this kind (who reads it)."""
        return gettext("Note")

    def heading(self, order_line) -> str:
        """What the order line sold, in the active language when it was sold in it: the title,
        and the item when it says more ("桃园小筑 · 大床房")."""
        item = order_line.item_name_in()
        return f"{order_line.title_in()} · {item}" if item else order_line.title_in()

    def summary(self, order_line) -> str:
        """The order line in one line of words, in the active language, from what the line
        kept (no query): when, how many of what, where it goes."""
        parts = []
        if order_line.start_date:
            parts.append(date_format(order_line.start_date, "DATE_FORMAT"))
        parts.append(gettext("× %(n)d") % {"n": order_line.quantity})
        return " · ".join(parts)

    def public_options(self, options: dict) -> dict:
        """The line's options as the API shows them to the visitor; a kind that keeps something
        only the server reads (a sealed ID number) leaves it out."""
        return options

    def where(self, order_lines) -> dict:
        """{order line pk: ``Whereabouts``} for lines of this kind that keep a guest at an address
        (a stay's homestay), for those who bring things there; kinds without a place give {}."""
        return {}

    def reminder(self, order_lines) -> dict:
        """{order line pk: what the day-before reminder says of it, in the active language}: where
        and when to be ("check-in from 14:00 at 桃园小筑, 桃花村 8 号"); a fixed number of queries.
        Kinds that need no reminder give {} (their lines are not reminded)."""
        return {}

    def cancellation_terms(self, order_lines, *, now=None) -> dict:
        """{order line pk: ``policies.RefundDecision``}: what cancelling each of these sold lines
        (of this kind) at ``now`` gives back, or why it can no longer be cancelled. By default
        the policy the line kept when sold (its homestay's, experience's or ticket type's) by the
        time left to its start; a kind with another rule overrides it, loading what it needs for
        all the lines at once (produce: until the farmer packs it)."""
        return {
            line.pk: refund_percent(line.cancellation_policy, line.starts_at, now) for line in order_lines
        }

    def changed(self, order_line, *, start_date, end_date, object_id=None, now=None) -> CleanedLine:
        """The sold line as it would be on these dates (and ``object_id``, another item of the
        same provider; its own by default), the rest (guests, quantity) kept; ``LineInvalid``
        with the field's message when that is not a line of this kind (a bad date, an item of
        another provider, too many guests for it). Kinds that cannot move do not get here."""
        raise LineInvalid({"kind": _("This cannot be changed.")})

    def change_choices(self, order_line) -> list[tuple[int, str]]:
        """[(id, name)] of the items the sold line may move to, in the active language, its own
        first (a stay: the room types of its homestay that fit its guests and rooms)."""
        return []

    def availability(self, line, *, now=None, batch=None) -> tuple[bool, str]:
        try:
            self.check(line, self._batch(line, batch, now), now=now)
        except ReservationError as exc:
            return False, str(exc.message)
        return True, ""

    def check_many(self, lines, *, now=None) -> list[LineCheck]:
        """Each of ``lines`` described, checked and priced, from one ``prepare``."""
        batch = self.prepare(lines, now=now)
        results = []
        for line in lines:
            name, details = self.describe_parts(line, batch)
            title = f"{name} · {details}" if details else name
            try:
                self.check(line, batch, now=now)
                price = self.price(line, batch)
            except ReservationError as exc:
                results.append(LineCheck(line, title, None, exc, name, details))
            else:
                results.append(LineCheck(line, title, price, None, name, details))
        return results


def check_lines(lines, *, now=None) -> list[LineCheck]:
    """Every line described, checked and priced, in the order given: one ``check_many`` per kind,
    so the queries grow with the kinds in the basket, not with its lines."""
    lines = list(lines)
    by_kind = defaultdict(list)
    for line in lines:
        by_kind[line.kind].append(line)
    results = {}
    for kind, kind_lines in by_kind.items():
        for result in get_line_kind(kind).check_many(kind_lines, now=now):
            results[id(result.line)] = result
    return [results[id(line)] for line in lines]


def prepare_lines(lines, *, now=None) -> dict:
    """{kind: batch} for ``lines``: what ``price``/``snapshot`` need, loaded once per kind."""
    by_kind = defaultdict(list)
    for line in lines:
        by_kind[line.kind].append(line)
    return {kind: get_line_kind(kind).prepare(kind_lines, now=now) for kind, kind_lines in by_kind.items()}


def load_rows(kind, ids, queryset) -> dict:
    """{posted id: the row it sells, or None}, for a ``prepare``: the ids resolved to their
    default-locale originals (one query) and those rows read from ``queryset`` (one query), which
    may filter (live only) and select what the kind reads through them."""
    ids = set(ids)
    originals = get_inventory(kind).canonical_ids(ids)
    rows = queryset.in_bulk(set(originals.values())) if originals else {}
    return {pk: rows.get(originals.get(pk)) for pk in ids}


_registry: dict[str, LineKind] = {}


def register_line_kind(handler: LineKind) -> LineKind:
    _registry[handler.kind] = handler
    return handler


def get_line_kind(kind) -> LineKind:
    try:
        return _registry[kind]
    except (KeyError, TypeError):
        raise LineInvalid({"kind": _("This kind of item cannot be booked online.")}) from None


def describing_kind(kind) -> LineKind:
    """The handler that describes a line of ``kind`` in words: its own, or for an old line of a
    kind no longer sold the plain ``LineKind``, which says it from what the line kept."""
    return _registry.get(kind) or LineKind()


def cancellation_terms(order_lines, *, now=None) -> dict:
    """{order line pk: ``RefundDecision``} for sold lines of any kinds, each kind deciding for its
    own lines (``LineKind.cancellation_terms``): the queries grow with the kinds, not the lines."""
    by_kind = defaultdict(list)
    for line in order_lines:
        by_kind[line.kind].append(line)
    terms = {}
    for kind, kind_lines in by_kind.items():
        terms.update(describing_kind(kind).cancellation_terms(kind_lines, now=now))
    return terms


def registered_kinds():
    return sorted(_registry)


def stay_kinds():
    """The kinds whose lines are stays in the town."""
    return sorted(kind for kind, handler in _registry.items() if handler.is_a_stay)


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
