"""Event tickets as a basket line kind: ``{"kind": "ticket", "ticket_type_id": N, "quantity": N}``.

Prices come from the ticket type on the server; a price of 0 is a free registration, which still
makes an order (confirmed at once, with a voucher) but never a payment.
"""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.exceptions import ReservationError
from orders.inventory import canonical_id
from orders.lines import CleanedLine, LineInvalid, LineKind, LinePrice, LineSnapshot, int_field
from orders.models import ReservationKind
from orders.money import Money
from orders.policies import FLEXIBLE
from orders.services import Claim

from .inventory import check_on_sale
from .models import TicketType

# Tickets can be given back until 24 hours before the event (the money comes back in full).
TICKET_CANCELLATION_POLICY = FLEXIBLE
MAX_TICKETS_PER_LINE = 50


def ticket_type_for_sale(ticket_type_id):
    """The default-locale ticket type that ``ticket_type_id`` (maybe a translated event's) sells,
    with its live event and venue (None if there is none)."""
    pk = canonical_id(ReservationKind.TICKET, ticket_type_id)
    if pk is None:
        return None
    return (
        TicketType.objects.canonical()
        .filter(pk=pk, page__live=True)
        .select_related("page", "page__venue")
        .first()
    )


class TicketLine(LineKind):
    kind = ReservationKind.TICKET

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

    def price(self, line):
        ticket_type = ticket_type_for_sale(line.object_id)
        if ticket_type is None:
            raise ReservationError(_("This ticket can no longer be booked."))
        unit = Money(ticket_type.price_fen)
        return LinePrice(total=unit * line.quantity, unit=unit)

    def claims(self, line):
        return [Claim(self.kind, line.object_id, line.quantity)]

    def describe(self, line):
        ticket_type = ticket_type_for_sale(line.object_id)
        if ticket_type is None:
            return gettext("A ticket no longer offered")
        start = timezone.localtime(ticket_type.page.start)
        return gettext("%(event)s · %(ticket)s × %(n)d, %(when)s") % {
            "event": ticket_type.page.title,
            "ticket": ticket_type.name,
            "n": line.quantity,
            "when": start.strftime("%Y-%m-%d %H:%M"),
        }

    def availability(self, line, *, now=None):
        from orders.selectors import claimed_units

        ticket_type = ticket_type_for_sale(line.object_id)
        if ticket_type is None:
            return False, gettext("This ticket can no longer be booked.")
        try:
            check_on_sale(ticket_type, line.quantity, now=now)
        except ReservationError as exc:
            return False, str(exc.message)
        left = ticket_type.capacity - claimed_units(self.kind, [ticket_type.pk], now=now)[ticket_type.pk]
        if left < line.quantity:
            if left <= 0:
                return False, gettext("Sold out.")
            return False, gettext("Only %(n)d tickets of this type are left.") % {"n": left}
        return True, ""

    def snapshot(self, line):
        ticket_type = ticket_type_for_sale(line.object_id)
        if ticket_type is None:
            raise ReservationError(_("This ticket can no longer be booked."))
        page = ticket_type.page
        return LineSnapshot(
            title=page.title,
            item_name=ticket_type.name,
            cancellation_policy=TICKET_CANCELLATION_POLICY,
            starts_at=page.start,
            provider_user=None,
            page_id=page.pk,
            village_id=page.village_id_for_money,
            payment_ways=None,
        )
