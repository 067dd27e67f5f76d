"""Event tickets as a basket line kind: ``{"kind": "ticket", "ticket_type_id": N, "quantity": N}``.

Prices come from the ticket type on the server; a price of 0 is a free registration, which still
makes an order (confirmed at once, with a voucher) but never a payment.
"""

from functools import cached_property

from django.utils import timezone
from django.utils.dateformat import time_format
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from orders.exceptions import ReservationError, SoldOut
from orders.lines import CleanedLine, LineInvalid, LineKind, LinePrice, LineSnapshot, int_field, load_rows
from orders.money import Money
from orders.reservations import Claim
from orders.selectors import claimed_units
from town.translations import content_language, in_language

from .inventory import TICKET, check_on_sale
from .models import EventCancellation, TicketType

MAX_TICKETS_PER_LINE = 50


def _for_sale():
    return TicketType.objects.canonical().filter(page__live=True).select_related("page", "page__venue")


def ticket_type_for_sale(ticket_type_id):
    """The default-locale ticket type that ``ticket_type_id`` (maybe a translated event's) sells,
    with its live event and venue (None if there is none)."""
    return load_rows(TICKET, [ticket_type_id], _for_sale())[ticket_type_id]


def ticket_words(starts_at, quantity):
    """ "20 March 2027, 10:00 · 2 tickets" in the active language."""
    parts = [date_format(timezone.localtime(starts_at), "DATETIME_FORMAT")] if starts_at else []
    parts.append(ngettext("%(n)d ticket", "%(n)d tickets", quantity) % {"n": quantity})
    return " · ".join(parts)


class TicketBatch:
    """The ticket types of some ticket lines with their events (two queries); the events called
    off and the live claims (one query each) when availability is asked for."""

    def __init__(self, lines, now=None):
        self.now = now
        self.ticket_types = load_rows(TICKET, {line.object_id for line in lines}, _for_sale())
        self._names = {}

    def ticket_type(self, line):
        return self.ticket_types.get(line.object_id)

    def names(self, line):
        """(event, ticket type) names in the active language, for all the batch's ticket types at
        once (two queries in a language other than the default)."""
        language = content_language()
        if language not in self._names:
            rows = in_language(self._found)
            pages = in_language({t.page_id: t.page for t in self._found}.values())
            self._names[language] = {t.pk: (pages[t.page_id].title, rows[t.pk].name) for t in self._found}
        ticket_type = self.ticket_type(line)
        return self._names[language].get(ticket_type.pk) if ticket_type is not None else None

    @cached_property
    def _found(self):
        return [t for t in self.ticket_types.values() if t is not None]

    @cached_property
    def called_off(self):
        """Translation keys of the events the organiser called off (``events.models.is_called_off``)."""
        keys = {t.page.translation_key for t in self._found}
        if not keys:
            return set()
        return set(
            EventCancellation.objects.filter(event__translation_key__in=keys).values_list(
                "event__translation_key", flat=True
            )
        )

    @cached_property
    def claimed(self):
        ids = sorted({t.pk for t in self._found})
        return claimed_units(TICKET, ids, now=self.now) if ids else {}


class TicketLine(LineKind):
    kind = TICKET
    # Each ticket is priced alike and admits one: some can be given back (3 of 5).
    cancels_in_part = True
    input_fields = {"ticket_type_id": int, "quantity": int}

    def prepare(self, lines, *, now=None):
        return TicketBatch(lines, now)

    def validate(self, data):
        errors = {}
        ticket_type_id = int_field(
            errors, data, "ticket_type_id", maximum=2**53, message=_("Please choose a ticket.")
        )
        quantity = int_field(errors, data, "quantity", maximum=MAX_TICKETS_PER_LINE, default=1)
        ticket_type = ticket_type_for_sale(ticket_type_id) if ticket_type_id else None
        if ticket_type_id and ticket_type is None:
            errors["ticket_type_id"] = _("This ticket does not exist.")
        if ticket_type is not None and quantity and quantity > ticket_type.max_per_order:
            errors["quantity"] = _("At most %(n)d tickets of this type per order.") % {
                "n": ticket_type.max_per_order
            }
        if errors:
            raise LineInvalid(errors)
        return CleanedLine(kind=self.kind, object_id=ticket_type.pk, guests=quantity, quantity=quantity)

    def price(self, line, batch=None):
        ticket_type = self._batch(line, batch).ticket_type(line)
        if ticket_type is None:
            raise ReservationError(_("This ticket can no longer be booked."))
        unit = Money(ticket_type.price_fen)
        return LinePrice(total=unit * line.quantity, unit=unit)

    def claims(self, line):
        return [Claim(self.kind, line.object_id, line.quantity)]

    def describe_parts(self, line, batch=None):
        batch = self._batch(line, batch)
        ticket_type = batch.ticket_type(line)
        if ticket_type is None:
            return gettext("A ticket no longer offered"), ""
        event, ticket = batch.names(line)
        return f"{event} · {ticket}", ticket_words(ticket_type.page.start, line.quantity)

    def note_label(self, line=None):
        return gettext("Note for the organiser")

    def summary(self, order_line):
        return ticket_words(order_line.starts_at, order_line.quantity)

    def check(self, line, batch=None, *, now=None):
        batch = self._batch(line, batch, now)
        ticket_type = batch.ticket_type(line)
        if ticket_type is None:
            raise ReservationError(gettext("This ticket can no longer be booked."))
        called_off = ticket_type.page.translation_key in batch.called_off
        check_on_sale(ticket_type, line.quantity, now=now, called_off=called_off)
        left = ticket_type.capacity - batch.claimed.get(ticket_type.pk, 0)
        if left < line.quantity:
            if left <= 0:
                raise SoldOut(gettext("Sold out."))
            raise SoldOut(gettext("Only %(n)d tickets of this type are left.") % {"n": left})

    def reminder(self, order_lines):
        """ "桃花节 19:30, at 桃花坞": the event's start and venue in the active language; two queries."""
        from .models import EventPage

        ids = {line.page_id_snapshot for line in order_lines if line.page_id_snapshot}
        pages = EventPage.objects.select_related("venue").in_bulk(ids) if ids else {}
        venues = in_language({page.venue for page in pages.values() if page.venue_id})
        found = {}
        for line in order_lines:
            page = pages.get(line.page_id_snapshot)
            time = time_format(timezone.localtime(line.starts_at), "H:i") if line.starts_at else ""
            venue = venues.get(page.venue_id) if page is not None and page.venue_id else None
            words = f"{line.title_in()} {time}".strip()
            if venue is not None:
                words = gettext("%(event)s, at %(venue)s") % {"event": words, "venue": venue.title}
            found[line.pk] = words
        return found

    def snapshot(self, line, batch=None):
        ticket_type = self._batch(line, batch).ticket_type(line)
        if ticket_type is None:
            raise ReservationError(_("This ticket can no longer be booked."))
        page = ticket_type.page
        translated_title, translated_item_name = self._batch(line, batch).names(line)
        return LineSnapshot(
            title=page.title,
            item_name=ticket_type.name,
            translated_title=translated_title,
            translated_item_name=translated_item_name,
            cancellation_policy=ticket_type.cancellation_policy,
            starts_at=page.start,
            provider_user=None,
            page_id=page.pk,
            village_id=page.village_id_for_money,
            payment_ways=None,
        )
