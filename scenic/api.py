"""JSON API of the scenic area: "right now" (public, stored by the page cache) and the car parks'
counter systems (token per counter, see scenic.parking)."""

import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.security import HttpBearer

from . import parking
from .now import now_numbers

router = Router(tags=["scenic"])


class CounterTokenRejected(parking.ParkingError):
    status = 401
    code = "token_invalid"


class CounterToken(HttpBearer):
    openapi_description = (
        "A parking counter system's token (typ_…), shown once when the counter is created in the "
        "admin (Scenic area → Parking counters); only its hash is stored. Unknown or switched off: "
        '401 {"detail", "code": "token_invalid"}.'
    )

    def authenticate(self, request, token):
        counter = parking.counter_for_token(token)
        if counter is None:
            raise CounterTokenRejected(_("This counter token is not valid (or the counter is switched off)."))
        return counter


class ErrorOut(Schema):
    detail: str
    code: str


class WindowOut(Schema):
    id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    places_left: int


class SpotOut(Schema):
    id: int
    name: str
    url: str | None = None
    entry_url: str | None = Field(None, description="where to book timed entry, if the spot takes it")
    level: str | None = Field(None, description="comfortable, busy or full; null if nobody counts")
    people: int | None = Field(None, description="people on site now; null if nobody counts")
    capacity: int | None = None
    next_window: WindowOut | None = None


class NearestOut(Schema):
    id: int
    name: str
    free: int
    distance_km: float


class CarParkOut(Schema):
    id: int
    name: str
    free: int
    total: int
    full: bool
    nearest: NearestOut | None = Field(None, description="When full: the nearest car park with room.")


class NoticeOut(Schema):
    id: int
    kind: str = Field(description="weather, closure or other")
    level: str = Field(description="info, warning or danger")
    title: str
    text: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None


class NowOut(Schema):
    updated_at: datetime.datetime
    spots: list[SpotOut]
    car_parks: list[CarParkOut]
    notices: list[NoticeOut]


@router.get("/now", response=NowOut, summary="Right now: crowding, parking, notices")
def right_now(
    request: HttpRequest,
    lang: str | None = Query(  # noqa: ARG001 (read by config.api.in_request_language)
        None,
        description="zh-hans or en: the language of names and notices (else the language "
        "cookie, then Accept-Language). The /now/ pages ask for their own.",
    ),
):
    """Each spot's crowding and next entry window, every car park's free spaces and the current
    notices and closures, in the caller's language (``lang``, cookie, Accept-Language). Stored for
    anonymous callers and cleared by every parking count, so polling it is cheap and the numbers
    live within seconds."""
    return now_numbers()


class CountIn(Schema):
    free: int | None = Field(None, le=100_000, description="The free spaces counted now.")
    change: int | None = Field(
        None, ge=-100_000, le=100_000, description="Or a change: +1 a car left, -1 a car came in."
    )


class CountOut(Schema):
    id: int
    free: int
    total: int


@router.post(
    "/parking/{car_park_id}/count",
    auth=CounterToken(),
    response={200: CountOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Report a car park's free spaces (counter systems)",
)
def count_parking(
    request: HttpRequest,
    car_park_id: int,
    payload: CountIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description="Optional, 1 to 64 printable characters (a UUID, say): a request sent again "
        "with the same key (a retry) answers what the first one did and counts nothing.",
    ),
):
    """Give exactly one of ``free`` (the count) or ``change`` (relative). Refused, with nothing
    stored: an unknown token (401), a car park this counter does not count (403), an unknown car
    park (404), a count below zero or over the car park's spaces, neither/both fields, or an
    idempotency key that is not valid or was used for another car park (422)."""
    if (payload.free is None) == (payload.change is None):
        raise parking.CountOutOfRange(_('Send exactly one of "free" (the count) or "change" (e.g. -1).'))
    parking.check_counter_may_count(request.auth, car_park_id)
    if payload.free is not None:
        count = parking.set_free(car_park_id, payload.free, key=idempotency_key)
    else:
        count = parking.change_free(car_park_id, payload.change, key=idempotency_key)
    return {"id": count.car_park_id, "free": count.free, "total": count.total}
