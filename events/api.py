"""JSON API of the events app: an event's tickets (under /api/v1/events/)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from .models import EventPage
from .selectors import published_events, ticket_offers

router = Router(tags=["events"])


class TicketTypeOut(Schema):
    ticket_type_id: int
    # In the event's language (an English event's id gives the English names).
    name: str
    description: str
    price_fen: int
    remaining: int
    on_sale: bool
    sales_state: str
    max_per_order: int


class ErrorOut(Schema):
    detail: str


@router.get(
    "/{event_id}/tickets",
    response={200: list[TicketTypeOut], 404: ErrorOut},
    summary="An event's ticket types: price (0 = free registration), what is left, whether on sale",
)
def event_tickets(request, event_id: int):
    """Add one to the basket with ``POST /api/v1/basket/lines``
    ``{"kind": "ticket", "ticket_type_id": N, "quantity": N}``."""
    event = published_events().filter(pk=event_id).first()
    if event is None or not isinstance(event, EventPage):
        return Status(404, {"detail": _("There is no such event.")})
    now = timezone.now()
    return Status(
        200,
        [
            {
                "ticket_type_id": offer.pk,
                "name": offer.name,
                "description": offer.description,
                "price_fen": offer.ticket_type.price_fen,
                "remaining": offer.remaining,
                "on_sale": offer.on_sale,
                "sales_state": offer.state,
                "max_per_order": offer.ticket_type.max_per_order,
            }
            for offer in ticket_offers(event, now=now)
        ],
    )
