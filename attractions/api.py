"""JSON API for experiences (tours): the free slots of one experience (django-ninja).

Booking goes through the basket: ``POST /api/v1/basket/lines`` with
``{"kind": "tour", "slot_id": N, "adults": N, "children": N, "child_ages": [N, ...]}``.
"""

import datetime

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from . import selectors
from .models import ExperiencePage

router = Router(tags=["experiences"])
MAX_SLOT_DAYS = 92


class SlotsQuery(Schema):
    start: str = Field(..., alias="from", description="First day, YYYY-MM-DD (Asia/Shanghai).")
    end: str = Field(..., alias="to", description="Last day, YYYY-MM-DD, included; at most 92 days.")


class SlotOut(Schema):
    slot_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    seats_left: int
    price_adult_fen: int
    price_child_fen: int


class ErrorOut(Schema):
    detail: str


def _error(name, message):
    return ValidationError([{"type": "value_error", "loc": ["query", name], "msg": str(message)}])


def _day(value, name):
    try:
        return datetime.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise _error(name, _("Please give a date as YYYY-MM-DD.")) from None


@router.get(
    "/{experience_id}/slots",
    response={200: list[SlotOut], 404: ErrorOut},
    summary="Bookable times of an experience",
)
def slots(request, experience_id: int, params: Query[SlotsQuery]):
    """Open, future slots starting on the days ``from`` to ``to`` (both included, town time, at
    most 92 days), with places left (pitches for camping) and prices in fen. Sold-out slots are
    listed with ``seats_left`` 0."""
    start, end = _day(params.start, "from"), _day(params.end, "to")
    if end < start:
        raise _error("to", _("The end date must not be before the start date."))
    if (end - start).days + 1 > MAX_SLOT_DAYS:
        raise _error("to", _("Ask for at most %(n)d days.") % {"n": MAX_SLOT_DAYS})
    page = ExperiencePage.objects.live().public().filter(pk=experience_id).first()
    if page is None:
        raise Http404(_("No such experience."))
    owner_id = selectors.canonical_experience_ids([page])[page.pk]
    # A translation shares its original's slots and prices.
    owner = page if owner_id == page.pk else ExperiencePage.objects.get(pk=owner_id)
    found = selectors.slots_with_seats([owner_id], start, end)[owner_id]
    return [
        {
            "slot_id": slot.slot_id,
            "starts_at": slot.starts_at,
            "ends_at": slot.ends_at,
            "seats_left": slot.seats_left,
            "price_adult_fen": owner.price_adult_fen,
            "price_child_fen": owner.price_child_fen,
        }
        for slot in found
    ]
