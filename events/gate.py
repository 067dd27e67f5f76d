"""Gate check-in: staff at a festival gate or a tour's meeting point admit vouchers.

A gate is one event (its tickets, whatever the ticket type) or one tour slot (its seats). The
voucher is marked used through ``orders.vouchers.check_in``, which locks it: a second scan, a
retried request or two phones scanning at once admit it once. Tour slots come from the
attractions app when it has them (imported lazily).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.utils import timezone

from attractions.models import TourSlot
from orders.models import SOLD_STATUSES, OrderLine, ReservationKind
from orders.money import Money
from orders.selectors import on_site_payment_due
from orders.vouchers import CheckInResult, check_in

from .models import EventPage, TicketType, default_language

# Which gates the picker offers: events running from today to this many days ahead.
EVENT_DAYS_AHEAD = 14


class UnknownGate(LookupError):
    pass


@dataclass
class Gate:
    """An event or a tour slot, with the order lines that admit to it."""

    kind: str  # "event" or "slot"
    obj: object
    title: str
    starts_at: datetime.datetime
    line_kind: str
    object_ids: list

    @property
    def key(self):
        return f"{self.kind}-{self.obj.pk}"

    def lines(self):
        return OrderLine.objects.filter(kind=self.line_kind, object_id__in=self.object_ids)

    def belongs(self, line):
        return line.kind == self.line_kind and line.object_id in self.object_ids


@dataclass
class ScanOutcome:
    result: str
    line: OrderLine | None = None
    used_at: datetime.datetime | None = None
    # UNPAID: what staff must take before admitting (the whole order: one order, one payment).
    due: Money | None = None
    due_lines: int = 0

    @property
    def admitted(self):
        return self.result == CheckInResult.ADMITTED

    @property
    def unpaid(self):
        return self.result == CheckInResult.UNPAID


def _local_day_bounds(now):
    today = timezone.localdate(now)
    tz = timezone.get_default_timezone()
    start = datetime.datetime.combine(today, datetime.time.min, tzinfo=tz)
    return start, start + datetime.timedelta(days=1)


def gates_for(user, now=None):
    """The gates this user may open, today's first: for staff, events running today or in the
    next two weeks and today's tour slots; for a tour provider, today's slots of their own tours."""
    now = now or timezone.now()
    day_start, day_end = _local_day_bounds(now)
    gates = []
    if is_staff(user):
        events = (
            EventPage.objects.live()
            .filter(locale__language_code=default_language(), end__gte=day_start)
            .filter(start__lt=day_end + datetime.timedelta(days=EVENT_DAYS_AHEAD))
            .filter(ticket_types__isnull=False)
            .distinct()
            .order_by("start", "pk")
        )
        gates = [Gate("event", e, e.title, e.start, ReservationKind.TICKET, []) for e in events]
    if user.is_authenticated:
        slots = TourSlot.objects.filter(starts_at__gte=day_start, starts_at__lt=day_end)
        if not is_staff(user):
            slots = slots.filter(experience__owner=user)
        slots = slots.select_related("experience").order_by("starts_at", "pk")
        gates += [
            Gate("slot", s, s.experience.title, s.starts_at, ReservationKind.TOUR, [s.pk]) for s in slots
        ]
    today = timezone.localdate(now)
    gates.sort(key=lambda g: (timezone.localdate(g.starts_at) > today, g.starts_at))
    return gates


def is_staff(user):
    return bool(user and user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def may_open(user, gate):
    """Staff open every gate; a tour provider (the experience page's owner) their own slots."""
    if is_staff(user):
        return True
    return gate.kind == "slot" and user.is_authenticated and gate.obj.experience.owner_id == user.pk


def get_gate(key):
    """``event-12`` or ``slot-34`` → a Gate; ``UnknownGate`` if there is no such thing."""
    kind, _sep, pk = (key or "").partition("-")
    if not pk.isdigit():
        raise UnknownGate(key)
    if kind == "event":
        event = EventPage.objects.filter(pk=int(pk)).first()
        if event is None:
            raise UnknownGate(key)
        ids = list(TicketType.objects.canonical_for(event).values_list("pk", flat=True))
        return Gate("event", event, event.title, event.start, ReservationKind.TICKET, ids)
    if kind == "slot":
        slot = TourSlot.objects.filter(pk=int(pk)).select_related("experience").first()
        if slot is not None:
            return Gate("slot", slot, slot.experience.title, slot.starts_at, ReservationKind.TOUR, [slot.pk])
    raise UnknownGate(key)


def admit(gate, code, *, by_user, collect=False, now=None) -> ScanOutcome:
    """Check in ``code`` at ``gate``: admitted once; a second scan shows when it was first used.

    A voucher whose order is still to be paid on site is not admitted: the outcome says how much
    to take for the whole order. ``collect``: the scanner took that money; it is recorded as paid
    by them and the voucher admitted (once, however often the request is sent).
    """
    result, voucher = check_in(code, by_user=by_user, now=now, belongs=gate.belongs, collect=collect)
    if voucher is None:
        return ScanOutcome(result)
    line = OrderLine.objects.select_related("order").get(pk=voucher.order_line_id)
    outcome = ScanOutcome(result, line, voucher.used_at)
    if outcome.unpaid:
        outcome.due, outcome.due_lines = amount_to_collect(line.order)
    return outcome


def amount_to_collect(order):
    """(Money still to be paid on site for ``order``, or None; how many lines it pays for)."""
    payment = on_site_payment_due(order)
    if payment is None:
        return None, 0
    return Money(payment.amount_fen, payment.currency), order.lines.filter(cancelled_at__isnull=True).count()


def gate_counts(gate):
    """(admitted, sold) for the gate, in one query: tickets or seats on valid orders, less the
    lines the organiser called off (their order may live on for its other lines)."""
    seats = _seats_expression(gate)
    totals = (
        gate.lines()
        .filter(order__status__in=SOLD_STATUSES, cancelled_at__isnull=True)
        .aggregate(sold=Sum(seats), admitted=Sum(seats, filter=Q(voucher__used_at__isnull=False)))
    )
    return totals["admitted"] or 0, totals["sold"] or 0


def _seats_expression(gate):
    # A tour line counts its people (the order line's guests); a ticket line its quantity.
    return "guests" if gate.kind == "slot" else "quantity"


def who(line):
    """What the gate shows about a voucher: the contact, the ticket or the party."""
    options = line.options or {}
    return {
        "contact_name": line.order.contact_name,
        "item": line.item_name or line.title,
        "quantity": line.quantity,
        "adults": options.get("adults"),
        "children": options.get("children"),
        "reference": line.order.reference,
    }
