"""JSON API for homestays: availability search and per-night calendars (django-ninja).

Query parameters are typed so malformed values get ninja's 422; the date rules shared with the
pages (past dates, stay length, check-out after check-in) come from the same forms and answer
422 in the same shape.
"""

from datetime import date, timedelta
from typing import Literal

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from . import selectors
from .forms import MAX_GUESTS, StayDatesForm
from .models import HomestayPage

router = Router(tags=["homestays"])
MAX_CALENDAR_DAYS = 92


MAX_PER_PAGE = 100


class AvailabilityQuery(Schema):
    check_in: date
    check_out: date
    guests: int = Field(1, ge=1, le=MAX_GUESTS)
    page: int = Field(1, ge=1, le=selectors.MAX_PAGE)
    per_page: int = Field(20, ge=1, le=MAX_PER_PAGE)
    sort: Literal["recommended", "price"] = "recommended"


class CalendarQuery(Schema):
    start: date = Field(..., alias="from")
    end: date = Field(..., alias="to")


class AvailabilityOut(Schema):
    homestay_id: int
    homestay_name: str
    room_type_id: int
    room_type_name: str
    nights: int
    total_fen: int
    currency: str
    available_units: int


class AvailabilityPageOut(Schema):
    count: int = Field(
        ...,
        description=(
            f"Room types found over all pages, counted up to {selectors.COUNT_CAP}: with more, "
            f"count is {selectors.COUNT_CAP}, count_exact is false and only the first "
            f"{selectors.COUNT_CAP} can be paged through (narrow the search to see others)."
        ),
    )
    count_exact: bool = Field(
        ..., description=f"False when more than {selectors.COUNT_CAP} room types fit (count is the cap)."
    )
    page: int
    per_page: int
    pages: int
    results: list[AvailabilityOut]


class NightOut(Schema):
    date: date
    available_units: int
    price_fen: int | None
    closed: bool


class RoomCalendarOut(Schema):
    room_type_id: int
    room_type_name: str
    nights: list[NightOut]


class CalendarOut(Schema):
    homestay_id: int
    homestay_name: str
    currency: str
    room_types: list[RoomCalendarOut]


class ErrorOut(Schema):
    detail: str


def _field_errors(errors):
    """Django form errors in ninja's 422 shape: [{"loc": ["query", field], "msg": ...}]."""
    return ValidationError(
        [
            {"type": "value_error", "loc": ["query", name], "msg": str(message)}
            for name, messages in errors.items()
            for message in messages
        ]
    )


@router.get("/availability", response=AvailabilityPageOut, summary="Rooms free for a stay")
def availability(request, params: Query[AvailabilityQuery]):
    """The room types free on all nights [check_in, check_out) for ``guests``, a page at a time
    (``page``, ``per_page``; ``count`` is the number of room types over all pages, up to 500, with
    ``count_exact`` false beyond; a page past the last answers the last one): in the tourism
    office's order of the homestays, or cheapest stay first with ``sort=price``. Prices in fen."""
    check_in, check_out, guests = params.check_in, params.check_out, params.guests
    form = StayDatesForm({"check_in": check_in, "check_out": check_out, "guests": guests})
    if not form.is_valid():
        raise _field_errors(form.errors)
    found = selectors.search_room_types(
        check_in, check_out, guests, page=params.page, per_page=params.per_page, sort=params.sort
    )
    return {
        "count": found.paginator.count,
        "count_exact": found.paginator.count_exact,
        "page": found.number,
        "per_page": params.per_page,
        "pages": found.paginator.num_pages if found.paginator.count else 0,
        "results": [
            {
                "homestay_id": r.homestay.pk,
                "homestay_name": r.homestay.title,
                "room_type_id": r.room_type.pk,
                "room_type_name": r.room_type_name,
                "nights": r.nights,
                "total_fen": r.total_fen,
                "currency": settings.CURRENCY,
                "available_units": r.available_units,
            }
            for r in found.object_list
        ],
    }


@router.get(
    "/{homestay_id}/calendar",
    response={200: CalendarOut, 404: ErrorOut},
    summary="Nightly availability and prices",
)
def calendar(request, homestay_id: int, params: Query[CalendarQuery]):
    """Per room type, per night from ``from`` to ``to`` (both included, at most 92 nights):
    rooms left, price in fen (null when closed) and whether the room is closed."""
    start, end = params.start, params.end
    if end < start:
        raise _field_errors({"to": [_("The end date must not be before the start date.")]})
    if (end - start).days + 1 > MAX_CALENDAR_DAYS:
        raise _field_errors({"to": [_("Ask for at most %(n)d days.") % {"n": MAX_CALENDAR_DAYS}]})
    page = HomestayPage.objects.live().filter(pk=homestay_id).first()
    if page is None:
        raise Http404(_("No such homestay."))
    calendars = selectors.room_calendars(page, start, end + timedelta(days=1))
    return {
        "homestay_id": page.pk,
        "homestay_name": page.title,
        "currency": settings.CURRENCY,
        "room_types": [
            {
                "room_type_id": c.room_type.pk,
                "room_type_name": c.display.name,
                "nights": [
                    {
                        "date": d.date,
                        "available_units": d.available_units,
                        "price_fen": d.price_fen,
                        "closed": d.closed,
                    }
                    for d in c.days
                ],
            }
            for c in calendars
        ],
    }
