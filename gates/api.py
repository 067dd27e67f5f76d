"""Timed entry in the JSON API: a spot's entry windows on a day, with the places left.
Booking goes through the basket (``POST /api/v1/basket/lines`` with ``"kind": "entry"``)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from .selectors import rule_for, windows_on

router = Router(tags=["timed entry"])


class EntryWindowOut(Schema):
    id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    places_left: int


class ErrorOut(Schema):
    detail: str
    code: str = ""


@router.get(
    "/{spot_id}/windows",
    response={200: list[EntryWindowOut], 404: ErrorOut, 422: ErrorOut},
    summary="A spot's entry windows on a day (default today) that are not over, with the places left",
    description="404 `no_timed_entry`: the spot takes no reservations. 422 `bad_date`: a date before today "
    "(or not YYYY-MM-DD, answered by the schema's own 422). places_left is the smaller of the window's "
    "and the day's.",
)
def entry_windows(request, spot_id: int, date: datetime.date | None = None):
    rule = rule_for(spot_id) if 0 < spot_id < 2**63 else None
    if rule is None or not rule.spot.live:
        return Status(404, {"detail": _("This spot takes no reservations."), "code": "no_timed_entry"})
    today = timezone.localdate()
    day = date or today
    if day < today:
        return Status(422, {"detail": _("This date is in the past."), "code": "bad_date"})
    return windows_on(rule, day)
