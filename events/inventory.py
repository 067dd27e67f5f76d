"""Ticket types as the reservation core's "ticket" inventory: capacity is the ticket type's."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from orders.exceptions import DatesUnavailable, InvalidClaim
from orders.inventory import Inventory

from .models import EventCancellation, TicketType, is_called_off

# The name tickets are stored under (lines, order lines, reservations), the same as
# orders.models.ReservationKind.TICKET, which other apps filter by.
TICKET = "ticket"


class TicketClosed(DatesUnavailable):
    """Sales are not open (not yet, or any more), or the event is over or unpublished."""

    code = "sales_closed"


def check_on_sale(ticket_type, quantity=None, *, now=None, called_off=None):
    """Raise ``TicketClosed`` / ``InvalidClaim`` unless ``quantity`` of it can be sold at ``now``.

    ``called_off``: whether the organiser called the event off, when the caller read it already
    (for many ticket types at once); else it is read here."""
    now = now or timezone.now()
    page = ticket_type.page
    if not page.live:
        raise TicketClosed(_("This event is not open for booking."))
    if called_off if called_off is not None else is_called_off(page):
        raise TicketClosed(_("This event has been cancelled by the organiser."))
    if page.end < now:
        raise TicketClosed(_("This event is over."))
    if ticket_type.archived:
        raise TicketClosed(_("This ticket is no longer sold."))
    state = ticket_type.sales_state(now)
    if state == "not_yet":
        message = _("Sales of this ticket open on %(when)s.") % {
            "when": date_format(timezone.localtime(ticket_type.sales_start), "DATETIME_FORMAT")
        }
        raise TicketClosed(message)
    if state == "closed":
        raise TicketClosed(_("Sales of this ticket have closed."))
    if quantity is not None and quantity > ticket_type.max_per_order:
        raise InvalidClaim(
            _("At most %(n)d tickets of this type per order.") % {"n": ticket_type.max_per_order}
        )


class TicketTypeInventory(Inventory):
    kind = TICKET
    model = TicketType

    def capacity(self, obj, day):
        return obj.capacity

    def is_called_off(self, obj):
        return is_called_off(obj.page)

    def call_off(self, obj, *, reason, by_user):
        # The whole event goes: its page (the original, whose rows carry the inventory) is marked.
        EventCancellation.objects.get_or_create(
            event_id=obj.page_id,
            defaults={"reason": reason, "cancelled_by": by_user if getattr(by_user, "pk", None) else None},
        )

    def validate(self, obj, claim):
        # Reads the event (live, end) while the ticket row is locked: the rules hold until commit.
        try:
            check_on_sale(obj, claim.quantity)
        except (TicketClosed, InvalidClaim) as exc:
            exc.claim = claim
            raise
