"""JSON API of group bookings: ``POST /api/v1/group-enquiries``, ``GET /api/v1/quotes/{token}`` and
``POST /api/v1/quotes/{token}/accept``.

An enquiry needs no account. Its contact number is proven by a code: ask for one with
``POST /api/v1/auth/phone/code`` (the site's one code service, its limits), then send it here as
``phone_code``. The same form as the page (``forms.GroupEnquiryForm``) checks every field. Errors:

* 422: ninja's shape, ``{"detail": [{"loc": ["body", field], "msg": ..., "type": code}]}``, one per
  field; nothing is stored;
* 429: ``{"detail": reason, "code": "too_many_enquiries"}``;
* 403: a session cookie without its CSRF token.
"""

from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import get_language, gettext_lazy
from ninja import Router, Schema, Status
from ninja.errors import ValidationError
from pydantic import Field

from accounts.api import app_token, session_with_csrf
from accounts.phones import phone_or_none
from orders import deposits
from orders.reservations import local_today

from . import limits, selectors, services
from .forms import GroupEnquiryForm

enquiry_router = Router(tags=["groups"])


def session_or_nobody(request):
    """The session (CSRF checked) when the request carries a session cookie; else nobody. Never
    refuses: an enquiry needs no account."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return session_with_csrf(request) or AnonymousUser()
    request.user = AnonymousUser()
    return request.user


class EnquiryIn(Schema):
    organisation: str = Field(max_length=200)
    type: str = Field(description="school, company or association")
    start_date: date
    end_date: date
    pupils: int = 0
    adults: int = 0
    teachers: int = 0
    ages: str = Field(default="", max_length=100)
    programme: int | None = Field(default=None, description="A study-tour programme page's id.")
    wishes: str = Field(default="", max_length=2000)
    budget_fen: int | None = Field(default=None, ge=0, description="The group's budget in fen.")
    contact_name: str = Field(max_length=100)
    contact_phone: str = Field(max_length=32, description="A mainland China mobile number.")
    phone_code: str = Field(max_length=12, description="The code texted by POST /api/v1/auth/phone/code.")
    contact_email: str = Field(default="", max_length=254)


class EnquiryOut(Schema):
    ref: str = Field(description="The enquiry's reference, for the office and the quote.")


class ErrorOut(Schema):
    detail: str
    code: str = ""


# The form's names for the schema's fields, where they differ.
FORM_NAMES = {"code": "phone_code", "budget_yuan": "budget_fen"}


@enquiry_router.post(
    "",
    response={201: EnquiryOut, 401: ErrorOut, 403: ErrorOut, 422: dict, 429: ErrorOut},
    auth=[app_token, session_or_nobody],
    summary="Ask for a group or study-tour quote (no account needed)",
    description=(
        "`type`: school, company or association. Dates after today, the last not before the first, "
        "at most 30 days; at least one person; a school's pupils come with a teacher. `phone_code`: "
        "the code texted to `contact_phone` by POST /api/v1/auth/phone/code. Limits: 10 enquiries "
        "an hour per address, 5 per number (429)."
    ),
)
def post_group_enquiry(request, payload: EnquiryIn):
    number = phone_or_none(payload.contact_phone) or ""
    if not limits.may_enquire(request, number, dry_run=True):
        return Status(429, {"detail": str(limits.TOO_MANY_ENQUIRIES), "code": "too_many_enquiries"})
    data = payload.dict()
    budget = data.pop("budget_fen")
    data["code"] = data.pop("phone_code")
    # The form counts yuan; the API money in fen: whole yuan only.
    if budget is not None:
        if budget % 100:
            raise _errors(
                [("budget_fen", "invalid", "Give the budget in whole yuan (a multiple of 100 fen).")]
            )
        data["budget_yuan"] = budget // 100
    form = GroupEnquiryForm({k: "" if v is None else v for k, v in data.items()})
    if not form.is_valid():
        raise _errors(
            (FORM_NAMES.get(name, name), error.code or "invalid", message)
            for name, errors in form.errors.as_data().items()
            for error in errors
            for message in error.messages
        )
    limits.may_enquire(request, number)
    enquiry = form.submit(language=get_language())
    return Status(201, {"ref": enquiry.ref})


def _errors(items):
    return ValidationError(
        [{"type": code, "loc": ["body", name], "msg": str(msg)} for name, code, msg in items]
    )


quote_router = Router(tags=["groups"])


class QuoteLineOut(Schema):
    kind: str
    label: str
    quantity: int
    nights: int | None = Field(description="Rooms only: nights from the line's day.")
    unit_price_fen: int
    amount_fen: int


class QuoteDayOut(Schema):
    date: date
    lines: list[QuoteLineOut]
    total_fen: int


class QuoteOut(Schema):
    status: str = Field(description="sent, accepted or expired (a sent quote past its date).")
    organisation: str
    enquiry_ref: str
    valid_until: date
    currency: str = "CNY"
    days: list[QuoteDayOut]
    total_fen: int
    deposit_percent: int
    deposit_fen: int
    balance_fen: int
    hold_hours: int
    note: str


@quote_router.get(
    "/{token}",
    response={200: QuoteOut, 404: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="A group quote by its private link: day by day, totals, deposit and validity",
    description="The token is the last part of the quote's link. 404 for an unknown link or a quote "
    "not sent yet. 30 reads a minute per address (429).",
)
def get_quote(request, token: str):
    if not limits.may_look_up(request):
        return Status(429, {"detail": str(limits.TOO_MANY_LOOKUPS), "code": "too_many_requests"})
    quote = selectors.quote_for_visitor(token)
    if quote is None:
        return Status(404, {"detail": "Not found", "code": "not_found"})
    plan = selectors.quote_plan(quote, local_today())
    return Status(
        200,
        {
            "status": plan["status"],
            "organisation": quote.enquiry.organisation,
            "enquiry_ref": quote.enquiry.ref,
            "valid_until": quote.valid_until,
            "days": [
                {
                    "date": day,
                    "total_fen": subtotal,
                    "lines": [
                        {
                            "kind": line.kind,
                            "label": line.label,
                            "quantity": line.quantity,
                            "nights": line.nights if line.kind == "stay" else None,
                            "unit_price_fen": line.unit_price_fen,
                            "amount_fen": line.amount_fen,
                        }
                        for line in lines
                    ],
                }
                for day, lines, subtotal in plan["days"]
            ],
            "total_fen": plan["total_fen"],
            "deposit_percent": quote.deposit_percent,
            "deposit_fen": plan["deposit_fen"],
            "balance_fen": plan["balance_fen"],
            "hold_hours": quote.hold_hours,
            "note": quote.note,
        },
    )


class AcceptedOut(Schema):
    ref: str = Field(description="The order's reference.")
    status: str = Field(description="pending until the deposit is in, confirmed after, paid in full.")
    currency: str = "CNY"
    total_fen: int
    deposit_fen: int
    balance_fen: int
    due_now_fen: int = Field(description="What is to be paid now (the deposit until it is in).")
    hold_expires_at: datetime | None = Field(description="Everything is held until then for the deposit.")
    balance_due_on: date
    pay_url: str = Field(description="The order's page, where the group pays (after logging in by phone).")


class UnavailableOut(Schema):
    day: date
    kind: str
    label: str
    reason: str
    code: str


class ConflictOut(Schema):
    detail: str
    code: str
    unavailable: list[UnavailableOut]


@quote_router.post(
    "/{token}/accept",
    response={
        200: AcceptedOut,
        201: AcceptedOut,
        404: ErrorOut,
        409: ConflictOut,
        410: ErrorOut,
        429: ErrorOut,
    },
    auth=None,
    summary="Accept a group quote: everything is held and one order made with a deposit due now",
    description=(
        "All or nothing: every room, tour slot and entry of the quote is held for the quote's hold "
        "time and one order is made (201), its deposit due now and the balance by `balance_due_on`. "
        "Accepting again gives the same order (200). 409 with `unavailable`: what can no longer "
        "be had; nothing is held and the office revises the quote. 410: the quote is past its "
        "date (it will not come back: ask for a new one). 404: unknown link or a draft."
    ),
)
def accept_quote(request, token: str):
    if not limits.may_look_up(request):
        return Status(429, {"detail": str(limits.TOO_MANY_LOOKUPS), "code": "too_many_requests"})
    quote = selectors.quote_for_visitor(token)
    if quote is None:
        return Status(404, {"detail": "Not found", "code": "not_found"})
    try:
        result = services.accept_quote(quote)
    except services.QuoteNotOpen as exc:
        status = 410 if exc.code == "expired" else 409
        if status == 409:
            return Status(409, {"detail": str(exc.message), "code": exc.code, "unavailable": []})
        return Status(410, {"detail": str(exc.message), "code": exc.code})
    if not result.accepted:
        return Status(
            409,
            {
                "detail": str(UNAVAILABLE),
                "code": "unavailable",
                "unavailable": [
                    {
                        "day": item.line.day,
                        "kind": item.line.kind,
                        "label": item.line.label,
                        "reason": item.reason,
                        "code": item.code,
                    }
                    for item in result.unavailable
                ],
            },
        )
    return Status(200 if result.existing else 201, accepted_body(request, result.order))


UNAVAILABLE = gettext_lazy(
    "Some of the quote can no longer be had; nothing was reserved. The tourism office will revise it."
)


def accepted_body(request, order):
    state = deposits.parts_paid(order)
    return {
        "ref": order.reference,
        "status": order.status,
        "currency": order.currency,
        "total_fen": order.total_fen,
        "deposit_fen": state.deposit_fen,
        "balance_fen": state.balance_fen,
        "due_now_fen": state.due_now_fen,
        "hold_expires_at": order.hold_expires_at,
        "balance_due_on": state.balance_due_on,
        "pay_url": request.build_absolute_uri(order.get_absolute_url()),
    }
