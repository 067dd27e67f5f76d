"""JSON API of the waiting list (under /api/v1/waitlist), in the style of ``orders.api``:
session-authenticated with CSRF on writes, or by an app's token (Authorization: Bearer); 422 in
ninja's field shape; 409/404/403 as ``{"detail", "code"}``."""

from datetime import date, datetime

from django.utils import translation
from ninja import Router, Schema, Status
from pydantic import Field, create_model

from accounts.api import token_or_login
from accounts.services import UnverifiedEmail

from . import waitlist
from .api import ErrorOut, _field_errors
from .lines import LineInvalid, get_line_kind
from .models import WaitlistEntry

router = Router(tags=["waiting list"])


def _kind_fields(kind):
    """The fields an entry of ``kind`` sends besides ``quantity`` (its own count field)."""
    return {
        name: annotation
        for name, annotation in get_line_kind(kind).input_fields.items()
        if name != waitlist.QUANTITY_FIELDS[kind]
    }


def _waitlist_in():
    """``kind``, ``quantity`` and the fields the waitable kinds read (each optional: an entry
    sends its own kind's, as a basket line does)."""
    fields = {}
    for kind in waitlist.WAITLIST_KINDS:
        fields.update(_kind_fields(kind))
    return create_model(
        "WaitlistIn",
        __base__=Schema,
        __doc__="A sold-out item to wait for. "
        + " · ".join(f"{kind}: {', '.join(_kind_fields(kind))}" for kind in waitlist.WAITLIST_KINDS),
        kind=(str, Field(description=f"One of: {', '.join(waitlist.WAITLIST_KINDS)}.")),
        quantity=(int, Field(description="Rooms (stay), tickets (ticket) or adults (tour) wanted.")),
        **{name: (annotation | None, None) for name, annotation in fields.items()},
    )


WaitlistIn = _waitlist_in()


class JoinedOut(Schema):
    id: int
    position: int


class OfferOut(Schema):
    expires_at: datetime
    url: str


class WaitlistEntryOut(Schema):
    id: int
    kind: str
    title: str
    details: str
    quantity: int
    start_date: date | None
    end_date: date | None
    status: str
    position: int | None
    joined_at: datetime
    offer: OfferOut | None


def _entry_out(entry) -> dict:
    from django.urls import reverse

    offer = None
    if entry.status == "offered":
        offer = {
            "expires_at": entry.offer_expires_at,
            "url": reverse("orders_waitlist_offer", args=[entry.pk]),
        }
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "title": entry.name,
        "details": entry.details,
        "quantity": entry.quantity,
        "start_date": entry.start_date,
        "end_date": entry.end_date,
        "status": entry.status,
        "position": entry.position,
        "joined_at": entry.created_at,
        "offer": offer,
    }


@router.get(
    "",
    response=list[WaitlistEntryOut],
    auth=token_or_login,
    summary="The user's waiting-list entries with their offers, newest first",
)
def list_entries(request):
    return [_entry_out(e) for e in waitlist.describe(waitlist.entries_of(request.user))]


@router.post(
    "",
    response={201: JoinedOut, 403: ErrorOut, 409: ErrorOut, 422: dict},
    auth=token_or_login,
    summary="Join the waiting list for a sold-out tour slot, ticket type or room type on given nights",
    description="201 with the entry and its place in line. 403 `unverified_email`. 409: "
    "`not_sold_out` (places are left: book it now), `already_waiting`, or why it cannot be booked "
    "at all (`called_off`, `dates_unavailable`, ...). 422: bad fields. When a place frees, the "
    "first in line whose quantity fits is offered it: a hold of 12 hours (setting "
    "`WAITLIST_OFFER_HOURS`) and an e-mail with a link that puts it in the basket.",
)
def join(request, payload: WaitlistIn):
    data = payload.dict(exclude_none=True)
    quantity = data.pop("quantity")
    try:
        entry = waitlist.join(
            request.user, data, quantity=quantity, language=translation.get_language() or ""
        )
    except UnverifiedEmail as exc:
        return Status(403, {"detail": str(exc.message), "code": "unverified_email"})
    except LineInvalid as exc:
        errors = dict(exc.errors)
        # The kind's own count field is the API's "quantity".
        field = waitlist.QUANTITY_FIELDS.get(data.get("kind"))
        if field in errors and field != "quantity":
            errors["quantity"] = errors.pop(field)
        raise _field_errors(errors) from None
    except waitlist.WaitlistError as exc:
        return Status(exc.status, {"detail": str(exc.message), "code": exc.code})
    (entry,) = waitlist.with_positions(WaitlistEntry.objects.filter(pk=entry.pk))
    return Status(201, {"id": entry.pk, "position": entry.position})


@router.delete(
    "/{entry_id}",
    response={204: None, 404: ErrorOut},
    auth=token_or_login,
    summary="Leave the waiting list (an offer held passes to the next in line)",
)
def leave(request, entry_id: int):
    try:
        waitlist.leave(request.user, entry_id)
    except waitlist.EntryNotFound as exc:
        return Status(404, {"detail": str(exc.message), "code": exc.code})
    return Status(204, None)
