"""JSON API for the basket, checkout and orders (django-ninja, under /api/v1/).

Session-authenticated with CSRF on writes, or by an app's token (``Authorization: Bearer``, no
CSRF: accounts/api.py). The basket works for anonymous visitors too (their
session's basket); checkout and orders need a logged-in user. Errors:

* 422: ninja's shape, ``{"detail": [{"loc": ["body", field], "msg": ...}]}``, one per field;
* 409: ``{"detail": reason, "code": "sold_out" | "dates_unavailable" | ...}``; a checkout whose
  ``shown_total_fen`` is not the total priced now: ``"code": "total_changed"`` with the new
  ``total_fen`` (nothing held or charged);
* 404 for anything that is not the caller's (another user's line or order).

Prices in requests are ignored: the schemas have no price fields and the server prices lines.
"""

from datetime import date, datetime

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.errors import ValidationError
from pydantic import Field, StrictInt, create_model

from accounts.api import token_or_login, token_or_session
from accounts.services import UnverifiedEmail

from . import basket as basket_service
from . import checkout as checkout_service
from . import invoices, line_cancel, stay_change
from .exceptions import OrderStateError, ReservationError
from .invoices import InvoiceInvalid
from .lines import LineInvalid, check_lines, describing_kind, get_line_kind, registered_kinds
from .models import InvoiceRequest, Order, OrderLine, OrderStatus
from .payments import wechatpay_miniprogram
from .payments.base import pay_url
from .payments.exceptions import PaymentError, ProviderUnavailable

router = Router(tags=["orders"])


# Anyone with (or without) a session: the basket is the session's; CSRF checked on writes. Or an
# app's token (Authorization: Bearer): the basket is its account's.
visitor_session = token_or_session


class ErrorOut(Schema):
    detail: str
    code: str = ""


def _basket_line_in():
    """The add-line input: ``kind``, ``note`` and the fields every registered kind reads
    (``LineKind.input_fields``), each optional, since a line sends only its own kind's; the kind
    then validates them. Made when the API is loaded, after every app has registered its kinds."""
    fields, used_by = {}, {}
    for kind in registered_kinds():
        for name, annotation in get_line_kind(kind).input_fields.items():
            if name in fields and fields[name] != annotation:
                raise ImproperlyConfigured(
                    f"Line kinds {used_by[name]} and {kind!r} read {name!r} as different types."
                )
            fields[name] = annotation
            used_by.setdefault(name, []).append(kind)
    kinds = ", ".join(registered_kinds())
    return create_model(
        "BasketLineIn",
        __base__=Schema,
        __doc__="One schema for every kind; each kind reads its own fields (see its line kind). "
        + " · ".join(f"{kind}: {', '.join(get_line_kind(kind).input_fields)}" for kind in registered_kinds()),
        kind=(str, Field(description=f"One of: {kinds}.")),
        **{
            name: (annotation | None, Field(None, description=f"Read by: {', '.join(used_by[name])}."))
            for name, annotation in fields.items()
        },
        note=(str | None, None),
    )


BasketLineIn = _basket_line_in()


class BasketLineOut(Schema):
    id: int
    kind: str
    title: str
    note_label: str
    quantity: int
    guests: int
    check_in: date | None
    check_out: date | None
    options: dict
    note: str
    total_fen: int
    available: bool
    reason: str


class BasketOut(Schema):
    lines: list[BasketLineOut]
    total_fen: int
    currency: str


class InvoiceRequestIn(Schema):
    """What goes on the invoice (发票). ``kind``: "personal" or "company"; a company needs its
    ``tax_number`` (统一社会信用代码: 18 characters, check character per GB 32100-2015)."""

    kind: str = "personal"
    title: str = ""
    tax_number: str = ""
    address: str = ""
    phone: str = ""
    bank_name: str = ""
    bank_account: str = ""
    email: str = ""


class InvoiceRequestOut(InvoiceRequestIn):
    status: str
    invoice_number: str
    invoiced_at: datetime | None
    updated_at: datetime


class CheckoutIn(Schema):
    """``payment_method`` is ignored for a free order (total 0). ``shown_total_fen``: the total
    the visitor was shown; if given and the basket now costs something else, 409 ``total_changed``.
    """

    payment_method: str | None = "on_site"
    contact_name: str = ""
    contact_phone: str = ""
    notes: dict[int, str] | None = None
    token: str | None = None
    shown_total_fen: StrictInt | None = None
    invoice: InvoiceRequestIn | None = Field(
        default=None,
        description="Optional: the invoice (发票) wanted for the order, "
        "as in PUT /orders/{ref}/invoice-request.",
    )


class CheckoutConflictOut(ErrorOut):
    """A 409 of the checkout; with ``code`` "total_changed", the total priced now and the one shown."""

    total_fen: int | None = None
    shown_total_fen: int | None = None
    currency: str | None = None


class CheckoutOut(Schema):
    order_ref: str
    status: str
    total_fen: int
    currency: str
    client_secret: str | None = None
    pay_url: str | None = Field(
        default=None,
        description="While the order waits for an online payment: our page where the visitor pays "
        "it (Stripe's form, WeChat Pay's QR code or H5 page, Alipay's cashier). None for on-site "
        "payment and for an order with nothing to pay.",
    )


class OrderLineOut(Schema):
    """``title``/``item_name`` in the caller's language when the order was placed in it (as the
    order page shows them); ``canonical_*`` as kept in the default language; ``heading``,
    ``summary`` and ``note_label`` in words, as the line's kind says them (as the order page).
    ``status``: "live", or "cancelled" for a line cancelled on its own (by the visitor or the
    organiser; ``refund_fen`` is what that gave back); tickets given back some at a time are a
    cancelled line of their own, ``split_from`` the line that keeps the rest. A stay moved to
    other dates or another room is "changed", ``replaced_by`` the line that stands for it now."""

    id: int
    status: str
    kind: str
    title: str
    item_name: str
    canonical_title: str
    canonical_item_name: str
    heading: str
    summary: str
    note_label: str
    start_date: date | None
    end_date: date | None
    nights: int | None
    guests: int
    quantity: int
    unit_price_fen: int
    total_fen: int
    note: str
    voucher_code: str | None
    # Set when the line was cancelled on its own (its voucher is void).
    cancelled_at: datetime | None = None
    cancelled_by_visitor: bool = False
    refund_fen: int = 0
    split_from: int | None = None
    replaced_by: int | None = None


class PaymentOut(Schema):
    provider: str
    status: str
    amount_fen: int
    refunded_fen: int


class OrderOut(Schema):
    reference: str
    status: str
    total_fen: int
    currency: str
    created_at: datetime
    lines: list[OrderLineOut]
    payments: list[PaymentOut]


class LineCancellationOut(Schema):
    """What cancelling the line (``quantity`` of its tickets) would give back now, and why; with
    ``cancellable`` false, the reason it can no longer be cancelled (the start has passed, the
    produce is packed, the voucher was used)."""

    refund_fen: int
    reason: str
    cancellable: bool
    quantity: int
    currency: str


class LineCancelIn(Schema):
    """``quantity``: how many of the line's tickets to give back (tickets only; all by default).
    ``shown_refund_fen``: the refund the visitor was shown; if cancelling now gives another, 409
    ``refund_changed`` and nothing is cancelled."""

    quantity: StrictInt | None = None
    shown_refund_fen: StrictInt | None = None


class LineCancelledOut(OrderOut):
    """The order after the cancellation, with the line's new status (``line_id``: the line asked
    for; ``cancelled_line_id``: the cancelled line, itself or the tickets given back) and the
    refund: ``refund_fen`` is what goes back (through the order's payments; each payment's
    ``refunded_fen`` shows what was booked), ``reason`` why that much."""

    line_id: int
    cancelled_line_id: int
    refund_fen: int
    reason: str


class StayChangeQuoteOut(Schema):
    """What moving a stay to ``check_in``..``check_out`` (and ``room_type``) would do now: the
    new price against the old; ``difference_fen`` new minus old. An increase is ``to_pay_fen``,
    paid online (``pay_online``: a new payment, as the order was paid) or on site. A decrease is
    treated as cancelling that amount now under the line's policy: ``refund_fen`` goes back
    through the order's payments, ``collect_less_fen`` comes off what is still to pay on site,
    ``kept_fen`` is what the policy keeps; ``reason`` is the policy's rule."""

    check_in: date
    check_out: date
    room_type: int
    nights: int | None
    title: str
    summary: str
    old_total_fen: int
    new_total_fen: int
    difference_fen: int
    to_pay_fen: int
    pay_online: bool
    refund_fen: int
    collect_less_fen: int
    kept_fen: int
    reason: str
    currency: str


class StayChangeIn(Schema):
    """The new dates (and ``room_type``, another of the same homestay; the line's own by
    default). ``shown_difference_fen``: the difference the visitor was shown; if changing now
    gives another, 409 ``difference_changed`` with the new quote and nothing is changed."""

    check_in: date
    check_out: date
    room_type: StrictInt | None = None
    shown_difference_fen: StrictInt | None = None


class StayChangeConflictOut(ErrorOut):
    """A 409 of a change; with ``code`` "difference_changed", the quote as it is now."""

    quote: StayChangeQuoteOut | None = None


class StayChangedOut(OrderOut):
    """The order after the change: ``line_id`` is the stay as it now stands (a new line, with a
    new voucher), ``replaced_line_id`` the line it replaced (status "changed", its voucher void).
    ``to_pay_fen``: the difference still to pay (``client_secret`` to pay it online, when its
    provider started it); ``refund_fen``: what goes back through the order's payments."""

    line_id: int
    replaced_line_id: int
    difference_fen: int
    to_pay_fen: int
    refund_fen: int
    client_secret: str | None = None


# The status each refusal of the line cancellation answers with (409 for the others).
LINE_CANCEL_STATUS = {"not_found": 404, "bad_quantity": 422}


def _field_errors(errors, *, within=()):
    return ValidationError(
        [
            {"type": "value_error", "loc": ["body", *within, name], "msg": str(message)}
            for name, message in errors.items()
        ]
    )


def _refused(refused):
    """A ``basket.Refusal``, as the pages answer it: 422 with its field errors, or 409 with the
    reason and its code."""
    if refused.status == 422:
        raise _field_errors(refused.errors)
    return Status(refused.status, {"detail": refused.messages[0], "code": refused.code})


def _line_out(view) -> dict:
    line = view.line
    return {
        "id": line.pk,
        "kind": line.kind,
        "title": view.title,
        "note_label": str(describing_kind(line.kind).note_label(line)),
        "quantity": line.quantity,
        "guests": line.guests,
        "check_in": line.start_date,
        "check_out": line.end_date,
        "options": describing_kind(line.kind).public_options(line.options or {}),
        "note": line.note,
        "total_fen": view.total_fen,
        "available": view.available,
        "reason": view.reason,
    }


def _basket_out(summary) -> dict:
    return {
        "lines": [_line_out(view) for view in summary.lines],
        "total_fen": summary.total.fen,
        "currency": summary.total.currency,
    }


def _with_lines(orders):
    """Orders with their lines and the lines' vouchers, read for all of them at once (an order
    already given them is left as it is)."""
    lines = Prefetch("lines", queryset=OrderLine.objects.select_related("voucher"))
    prefetch_related_objects(list(orders), lines, "payments")
    return orders


def _order_out(order) -> dict:
    _with_lines([order])
    lines = []
    for line in order.lines.all():
        voucher = getattr(line, "voucher", None)
        valid = voucher and voucher.voided_at is None and order.status in ("confirmed", "paid", "completed")
        handler = describing_kind(line.kind)
        lines.append(
            {
                "id": line.pk,
                "status": line.status,
                "kind": line.kind,
                "title": line.shown_title,
                "item_name": line.shown_item_name,
                "canonical_title": line.title,
                "canonical_item_name": line.item_name,
                "heading": handler.heading(line),
                "summary": handler.summary(line),
                "note_label": str(handler.note_label(line)),
                "start_date": line.start_date,
                "end_date": line.end_date,
                "nights": line.nights,
                "guests": line.guests,
                "quantity": line.quantity,
                "unit_price_fen": line.unit_price_fen,
                "total_fen": line.total_fen,
                "note": line.note,
                "voucher_code": voucher.code if valid else None,
                "cancelled_at": line.cancelled_at,
                "cancelled_by_visitor": line.cancelled_by_visitor,
                "refund_fen": line.refund_fen,
                "split_from": line.split_from_id,
                "replaced_by": line.replaced_by_id,
            }
        )
    return {
        "reference": order.reference,
        "status": order.status,
        "total_fen": order.total_fen,
        "currency": order.currency,
        "created_at": order.created_at,
        "lines": lines,
        "payments": [
            {
                "provider": p.provider,
                "status": p.status,
                "amount_fen": p.amount_fen,
                "refunded_fen": p.refunded_fen,
            }
            for p in order.payments.all()
        ],
    }


@router.get("/basket", response=BasketOut, auth=visitor_session, summary="The visitor's basket, priced now")
def get_basket(request):
    return _basket_out(basket_service.summarize(basket_service.get_basket(request)))


@router.post(
    "/basket/lines",
    response={201: BasketLineOut, 409: ErrorOut, 422: dict},
    auth=visitor_session,
    summary="Add a line (a stay, a tour, tickets or produce: see the kinds' fields)",
)
def add_basket_line(request, payload: BasketLineIn):
    data = payload.dict(exclude_none=True)
    basket = basket_service.get_basket(request, create=True)
    line, refused = basket_service.add_line_or_refusal(basket, data)
    if refused is not None:
        return _refused(refused)
    (view,) = check_lines([line])
    return Status(201, _line_out(view))


@router.delete(
    "/basket/lines/{line_id}",
    response={204: None, 404: ErrorOut},
    auth=visitor_session,
    summary="Remove a line from the basket",
)
def delete_basket_line(request, line_id: int):
    try:
        basket_service.remove_line(basket_service.get_basket(request), line_id)
    except basket_service.BasketLineNotFound as exc:
        return Status(404, {"detail": str(exc.message), "code": "not_found"})
    return Status(204, None)


@router.post(
    "/checkout",
    response={
        201: CheckoutOut,
        200: CheckoutOut,
        400: ErrorOut,
        403: ErrorOut,
        409: CheckoutConflictOut,
        422: dict,
    },
    auth=token_or_login,
    summary="Turn the basket into an order (holds last 30 minutes)",
)
def post_checkout(request, payload: CheckoutIn):
    try:
        result = checkout_service.checkout(
            request.user,
            basket_service.get_basket(request),
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            payment_method=payload.payment_method,
            notes=payload.notes,
            token=payload.token,
            shown_total=payload.shown_total_fen,
            language=translation.get_language() or "",
            invoice=payload.invoice.model_dump() if payload.invoice is not None else None,
        )
    except UnverifiedEmail as exc:
        return Status(403, {"detail": str(exc.message), "code": "unverified_email"})
    except InvoiceInvalid as exc:
        raise _field_errors(exc.errors, within=["invoice"]) from None
    except LineInvalid as exc:
        raise _field_errors(exc.errors) from None
    except checkout_service.BasketEmpty as exc:
        return Status(400, {"detail": str(exc.message), "code": exc.code})
    except ReservationError as exc:
        return Status(409, {"detail": str(exc.message), "code": exc.code})
    except checkout_service.TotalChanged as exc:
        return Status(
            409,
            {
                "detail": str(exc.message),
                "code": exc.code,
                "total_fen": exc.total_fen,
                "shown_total_fen": exc.shown_fen,
                "currency": exc.currency,
            },
        )
    order = result.order
    body = {
        "order_ref": order.reference,
        "status": order.status,
        "total_fen": order.total_fen,
        "currency": order.currency,
        "client_secret": result.client_secret,
        "pay_url": _pay_url(request, order),
    }
    return Status((200 if result.existing else 201), body)


def _pay_url(request, order):
    pending = checkout_service.pending_payment(order) if order.status == OrderStatus.PENDING else None
    path = pay_url(pending) if pending is not None else None
    return request.build_absolute_uri(path) if path else None


class WechatPaymentOut(Schema):
    """Pass these to ``wx.requestPayment`` as they are (``paySign``: RSA-SHA256 by our merchant key
    over appId, timeStamp, nonceStr and package). Paid or not, the result reaches the order only
    through WeChat Pay's notification: read the order (``GET /orders/{ref}``) afterwards."""

    appId: str  # noqa: N815 (WeChat's own names, so the app passes them through untouched)
    timeStamp: str  # noqa: N815
    nonceStr: str  # noqa: N815
    package: str
    signType: str  # noqa: N815
    paySign: str  # noqa: N815
    order_ref: str
    total_fen: int
    currency: str


@router.post(
    "/orders/{ref}/pay/wechat",
    response={200: WechatPaymentOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut},
    auth=token_or_login,
    summary="Pay one of the user's orders by WeChat Pay in the mini-program (wx.requestPayment)",
    description='For an order checked out with `payment_method` "wechatpay" and still unpaid, by '
    "an account logged in from the WeChat mini-program: makes (or finds again) the WeChat Pay "
    "JSAPI order for the mini-program's openid and answers with the signed parameters of "
    "`wx.requestPayment`. 404: not the caller's order. 403 `wechat_login_required`: the account "
    "has no openid of the mini-program. 409 `not_payable`: paid, cancelled or not paid by WeChat "
    "Pay; `wechatpay_unavailable`: WeChat Pay is not set up for the mini-program; "
    "`payment_error`: WeChat refused the order. 503 `provider_unavailable`: WeChat Pay cannot be "
    "reached, try again.",
)
def pay_order_by_wechat(request, ref: str):
    order = get_object_or_404(Order, reference=ref, user=request.user)
    try:
        payment, params = wechatpay_miniprogram.request_payment_params(order, request.user)
    except wechatpay_miniprogram.CannotPay as exc:
        return Status(exc.status, {"detail": str(exc.message), "code": exc.code})
    except ProviderUnavailable as exc:
        return Status(503, {"detail": str(exc.message), "code": exc.code})
    except PaymentError as exc:
        return Status(409, {"detail": str(exc.message), "code": exc.code})
    return Status(
        200,
        {
            **params,
            "order_ref": order.reference,
            "total_fen": payment.amount_fen,
            "currency": payment.currency,
        },
    )


@router.get(
    "/orders", response=list[OrderOut], auth=token_or_login, summary="The user's orders, newest first"
)
def list_orders(request):
    return [_order_out(order) for order in _with_lines(list(Order.objects.filter(user=request.user)[:50]))]


@router.get(
    "/orders/{ref}",
    response={200: OrderOut, 404: ErrorOut},
    auth=token_or_login,
    summary="One of the user's orders",
)
def get_order(request, ref: str):
    order = get_object_or_404(Order, reference=ref, user=request.user)
    return Status(200, _order_out(order))


def _invoice_out(request_row) -> dict:
    return {
        **{name: getattr(request_row, name) for name in invoices.FIELDS},
        "status": request_row.status,
        "invoice_number": request_row.invoice_number,
        "invoiced_at": request_row.invoiced_at,
        "updated_at": request_row.updated_at,
    }


def _no_invoice_request():
    return Status(404, {"detail": str(_("No invoice was asked for on this order.")), "code": "not_found"})


@router.get(
    "/orders/{ref}/invoice-request",
    response={200: InvoiceRequestOut, 404: ErrorOut},
    auth=token_or_login,
    summary="The invoice (发票) asked for on one of the user's orders",
)
def get_invoice_request(request, ref: str):
    order = get_object_or_404(Order, reference=ref, user=request.user)
    row = InvoiceRequest.objects.filter(order=order).first()
    if row is None:
        return _no_invoice_request()
    return Status(200, _invoice_out(row))


@router.put(
    "/orders/{ref}/invoice-request",
    response={200: InvoiceRequestOut, 404: ErrorOut, 409: ErrorOut, 422: dict},
    auth=token_or_login,
    summary="Ask for an invoice (发票) on one of the user's orders, or change what was asked",
    description="422 per field (a tax number that is not a valid unified social credit code, a "
    "company without one, a missing title or e-mail). 409 `invoiced`: the invoice is issued and "
    "can no longer be changed. Nothing is changed when it answers an error.",
)
def put_invoice_request(request, ref: str, payload: InvoiceRequestIn):
    order = get_object_or_404(Order, reference=ref, user=request.user)
    try:
        row = invoices.request_invoice(order, payload.model_dump())
    except InvoiceInvalid as exc:
        raise _field_errors(exc.errors) from None
    except OrderStateError as exc:
        return Status(409, {"detail": str(exc.message), "code": exc.code})
    return Status(200, _invoice_out(row))


def _line_refusal(exc):
    """A refusal of ``line_cancel``: 404 (not the caller's), 422 (a bad quantity, in ninja's
    field shape) or 409 with the reason and its code."""
    status = LINE_CANCEL_STATUS.get(exc.code, 409)
    if status == 422:
        raise _field_errors({"quantity": exc.message})
    return Status(status, {"detail": str(exc.message), "code": exc.code})


def _callers_line(request, ref, line_id):
    order = Order.objects.filter(reference=ref, user=request.user).prefetch_related("payments").first()
    line = None
    if order is not None:
        line = OrderLine.objects.select_related("voucher").filter(pk=line_id, order=order).first()
    return order, line


def _no_such_line():
    return Status(404, {"detail": str(_("This line does not exist.")), "code": "not_found"})


@router.get(
    "/orders/{ref}/lines/{line_id}/cancellation",
    response={200: LineCancellationOut, 404: ErrorOut, 409: ErrorOut, 422: dict},
    auth=token_or_login,
    summary="What cancelling one line (some of its tickets) would refund now",
    description="409: the order is not confirmed or paid, or the line is already cancelled. "
    "422: a quantity the line cannot give back.",
)
def get_line_cancellation(request, ref: str, line_id: int, quantity: int | None = None):
    order, line = _callers_line(request, ref, line_id)
    if line is None:
        return _no_such_line()
    try:
        quote = line_cancel.line_cancellation_quote(order, line, quantity=quantity)
    except OrderStateError as exc:
        return _line_refusal(exc)
    return Status(
        200,
        {
            "refund_fen": quote.refund_fen,
            "reason": quote.reason,
            "cancellable": quote.cancellable,
            "quantity": quote.quantity,
            "currency": order.currency,
        },
    )


@router.post(
    "/orders/{ref}/lines/{line_id}/cancel",
    response={200: LineCancelledOut, 404: ErrorOut, 409: ErrorOut, 422: dict},
    auth=token_or_login,
    summary="Cancel one line of a confirmed or paid order (tickets: some of them)",
    description="The line's kind decides the refund, which goes back through the order's "
    "payments; the last live line cancels the order. 409 with the reason: the start has passed, "
    "the produce is packed, the voucher was used (`not_cancellable`), the line is already "
    "cancelled (`already_cancelled`), the order is not confirmed or paid "
    "(`order_not_changeable`), the refund is not the one shown (`refund_changed`). 422: a "
    "quantity the line cannot give back. Nothing is changed when it answers an error.",
)
def cancel_order_line(request, ref: str, line_id: int, payload: LineCancelIn | None = None):
    order, line = _callers_line(request, ref, line_id)
    if line is None:
        return _no_such_line()
    payload = payload or LineCancelIn()
    try:
        result = line_cancel.cancel_line(
            order,
            line.pk,
            by_user=request.user,
            quantity=payload.quantity,
            shown_refund_fen=payload.shown_refund_fen,
        )
    except OrderStateError as exc:
        return _line_refusal(exc)
    except ReservationError as exc:  # the order is locked elsewhere: try again
        return Status(409, {"detail": str(exc.message), "code": exc.code})
    body = _order_out(Order.objects.prefetch_related("payments").get(pk=result.order.pk))
    body.update(
        {
            "line_id": result.line.pk,
            "cancelled_line_id": result.cancelled.pk,
            "refund_fen": result.refund_fen,
            "reason": result.quote.reason,
        }
    )
    return Status(200, body)


def _change_quote_out(quote, currency) -> dict:
    return {
        "check_in": quote.new.start_date,
        "check_out": quote.new.end_date,
        "room_type": quote.new.object_id,
        "nights": quote.price.nights,
        "title": quote.name,
        "summary": quote.summary,
        "old_total_fen": quote.old_fen,
        "new_total_fen": quote.new_fen,
        "difference_fen": quote.difference_fen,
        "to_pay_fen": quote.to_pay_fen,
        "pay_online": quote.pay_online,
        "refund_fen": quote.refund_fen,
        "collect_less_fen": quote.collect_less_fen,
        "kept_fen": quote.kept_fen,
        "reason": quote.reason,
        "currency": currency,
    }


def _change_refusal(exc):
    """A refusal of ``stay_change``: 404 (not the caller's), 422 (dates or a room that are not a
    stay of the line, in ninja's field shape) or 409 with the reason and its code."""
    if isinstance(exc, LineInvalid):
        names = {"room_type_id": "room_type", "guests": "room_type", "rooms": "room_type"}
        raise _field_errors({names.get(name, name): message for name, message in exc.errors.items()})
    if getattr(exc, "code", "") == "not_found":
        return Status(404, {"detail": str(exc.message), "code": exc.code})
    return Status(409, {"detail": str(exc.message), "code": exc.code})


STAY_CHANGE_ERRORS = (
    "409 with the reason and its `code`: the order is not confirmed or paid "
    "(`order_not_changeable`), the line is cancelled (`already_cancelled`) or changed already "
    "(`already_changed`), is not a stay, has "
    "started or its voucher was used (`not_changeable`), an earlier change's difference waits to "
    "be paid online (`difference_due`), the nights are closed or too few for the room's minimum "
    "stay (`dates_unavailable`), or taken (`sold_out`). 422 (field errors): dates that are not "
    "dates, in the past, check-out not after check-in, the dates and room already booked, a room "
    "of another homestay or one too small for the guests. 404: not the caller's order or line."
)


@router.get(
    "/orders/{ref}/lines/{line_id}/change-quote",
    response={200: StayChangeQuoteOut, 404: ErrorOut, 409: ErrorOut, 422: dict},
    auth=token_or_login,
    summary="What moving a stay to other dates (or another room of its homestay) would cost now",
    description=STAY_CHANGE_ERRORS,
)
def get_stay_change_quote(
    request, ref: str, line_id: int, check_in: date, check_out: date, room_type: int | None = None
):
    order, line = _callers_line(request, ref, line_id)
    if line is None:
        return _no_such_line()
    try:
        quote = stay_change.stay_change_quote(
            order, line, check_in=check_in, check_out=check_out, room_type_id=room_type
        )
    except (OrderStateError, LineInvalid, ReservationError) as exc:
        return _change_refusal(exc)
    return Status(200, _change_quote_out(quote, order.currency))


@router.post(
    "/orders/{ref}/lines/{line_id}/change",
    response={200: StayChangedOut, 404: ErrorOut, 409: StayChangeConflictOut, 422: dict},
    auth=token_or_login,
    summary="Move a stay to other dates or another room of its homestay, in one step",
    description="The new nights are taken before the old are freed, in one transaction; the "
    "line is replaced by a new one with a new voucher. The difference is due (a new payment for "
    "an order paid online, else on site) or, for a decrease, refunded as if that amount were "
    "cancelled now under the line's policy. " + STAY_CHANGE_ERRORS + " A difference other than "
    "`shown_difference_fen`: 409 `difference_changed` with the new `quote`. Nothing is changed "
    "when it answers an error.",
)
def change_order_stay(request, ref: str, line_id: int, payload: StayChangeIn):
    order, line = _callers_line(request, ref, line_id)
    if line is None:
        return _no_such_line()
    try:
        result = stay_change.change_stay(
            order,
            line.pk,
            by_user=request.user,
            check_in=payload.check_in,
            check_out=payload.check_out,
            room_type_id=payload.room_type,
            shown_difference_fen=payload.shown_difference_fen,
        )
    except stay_change.DifferenceChanged as exc:
        return Status(
            409,
            {
                "detail": str(exc.message),
                "code": exc.code,
                "quote": _change_quote_out(exc.quote, order.currency),
            },
        )
    except (OrderStateError, LineInvalid, ReservationError) as exc:
        return _change_refusal(exc)
    body = _order_out(Order.objects.prefetch_related("payments").get(pk=result.order.pk))
    body.update(
        {
            "line_id": result.line.pk,
            "replaced_line_id": result.old.pk,
            "difference_fen": result.quote.difference_fen,
            "to_pay_fen": result.quote.to_pay_fen,
            "refund_fen": result.quote.refund_fen,
            "client_secret": result.client_secret,
        }
    )
    return Status(200, body)
