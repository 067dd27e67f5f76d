"""Pages: the basket, checkout, and "My trips and orders". Thin: the services decide."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import phone_login
from accounts.decorators import verified_email_required
from accounts.phones import display_phone
from accounts.services import UnverifiedEmail
from town.sites import site_identity

from . import basket as basket_service
from . import checkout as checkout_service
from . import (
    deposits,
    invoices,
    line_cancel,
    order_state,
    receipts,
    refunds,
    stay_change,
    stay_suggestions,
    waitlist,
)
from .exceptions import OrderStateError, ReservationError
from .forms import (
    CancelForm,
    CheckoutForm,
    CheckoutInvoiceForm,
    InvoiceRequestForm,
    LineCancelForm,
    LineQuantityForm,
    StayChangeConfirmForm,
    StayChangeForm,
)
from .lines import LineInvalid, cancellation_terms, describing_kind
from .models import SOLD_STATUSES, InvoiceRequest, Order, OrderLine, OrderStatus, ReservationKind
from .money import format_fen
from .payments.base import available_providers, pay_url, waiting_payment
from .payments.views import POLL_SECONDS
from .reservations import local_today


def add_to_basket(request, data: dict):
    """Every kind's "add to basket" page: add ``data`` to the visitor's basket (made if need be).

    Added: None, with the same success message for every kind (the page then redirects to the
    basket). Refused: the ``basket.Refusal`` the page shows, with its status (422 bad input, 409
    cannot be had now), as the API answers the same refusal.
    """
    basket = basket_service.get_basket(request, create=True)
    _line, refused = basket_service.add_line_or_refusal(basket, data)
    if refused is None:
        messages.success(request, _("Added to your basket."))
    return refused


@never_cache
def basket_page(request):
    basket = basket_service.get_basket(request)
    summary = basket_service.summarize(basket)
    stays = stay_suggestions.stays_of([view.line for view in summary.lines], today=local_today())
    return render(
        request,
        "orders/basket.html",
        {"summary": summary, "stays": stays, "during_your_stay": stay_suggestions.during_your_stay(stays)},
    )


@require_POST
def basket_remove(request, line_id):
    try:
        basket_service.remove_line(basket_service.get_basket(request), line_id)
    except basket_service.BasketLineNotFound as exc:
        raise Http404(exc.message) from None
    messages.success(request, _("Removed from your basket."))
    return redirect("orders_basket")


@never_cache
@require_http_methods(["GET", "POST"])
def checkout_page(request):
    """Logged in: with a verified number or address (else verify first). A visitor without an
    account checks out as a guest: their mobile number, confirmed by a code on this page, logs
    them into the account of that number (made for it if need be), and the order is theirs."""
    if request.user.is_authenticated:
        return _member_checkout(request)
    return _checkout(request)


def _checkout(request):
    basket = basket_service.get_basket(request)
    summary = basket_service.summarize(basket)
    if not summary.lines:
        messages.info(request, _("Your basket is empty."))
        return redirect("orders_basket")
    lines = [view.line for view in summary.lines]
    choices = checkout_service.payment_method_choices()
    guest = not request.user.is_authenticated
    sending_code = guest and "send_code" in request.POST
    form = CheckoutForm(
        request.POST or None,
        payment_choices=choices,
        lines=lines,
        initial=_contact_initial(request.user),
        guest=guest,
        sending_code=sending_code,
    )
    # "Send code" keeps what was typed in the invoice section without checking it yet.
    invoice_form = CheckoutInvoiceForm(request.POST or None, checked=not sending_code)
    status, total_changed, code_sent = 200, None, None
    forms_valid = False
    if request.method == "POST":
        checked = [form.is_valid(), invoice_form.is_valid()]  # both, so every error shows at once
        forms_valid = all(checked)
    if sending_code:
        status, code_sent = _send_guest_code(request, form)
    elif forms_valid:
        if guest:
            form, status = _log_guest_in(request, form, choices=choices, lines=lines)
            basket = basket_service.get_basket(request)
    elif request.method == "POST":
        status = 422
    if request.method == "POST" and not sending_code and status == 200:
        data = form.cleaned_data
        try:
            result = checkout_service.checkout(
                request.user,
                basket,
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                payment_method=data["payment_method"],
                notes=form.notes(),
                token=data["token"],
                shown_total=data["shown_total_fen"],
                language=translation.get_language() or "",
                invoice=invoice_form.details,
            )
        except UnverifiedEmail as exc:
            messages.error(request, exc.message)
            status = 403
        except LineInvalid as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
            status = 422
        except checkout_service.BasketEmpty as exc:
            messages.info(request, exc.message)
            return redirect("orders_basket")
        except ReservationError as exc:
            messages.error(request, exc.message)
            summary = basket_service.summarize(basket)
            status = 409
        except checkout_service.TotalChanged as exc:
            # Shown next to the total; the page now shows (and posts) the new one.
            total_changed = exc
            summary = basket_service.summarize(basket)
            status = 409
        else:
            return _after_checkout(request, result)
    _attach_note_fields(summary, form)
    return render(
        request,
        "orders/checkout.html",
        {
            "form": form,
            "invoice_form": invoice_form,
            "summary": summary,
            "total_changed": total_changed,
            "code_sent": code_sent,
        },
        status=status,
    )


_member_checkout = verified_email_required(_checkout)


def _contact_initial(user):
    return {"contact_name": getattr(user, "display_name", ""), "contact_phone": getattr(user, "phone", "")}


def _log_guest_in(request, form, *, choices, lines):
    """ "Place order" as a guest: the code logs the session into the account of the number (made
    if need be; its anonymous basket joins the account's, orders.basket.merge_on_login). Returns
    the form to go on with, now an account's with the confirmed number as contact number, and
    the page's status (200: go on and check out)."""
    phone = form.cleaned_data["phone"]
    try:
        phone_login.log_in_with_code(request, phone, form.cleaned_data["code"])
    except phone_login.CodeRejected as exc:
        form.add_error("code", exc.message)
        return form, 422
    except phone_login.AccountInactive as exc:
        messages.error(request, exc.message)
        return form, 403
    member_form = CheckoutForm(
        {**request.POST.dict(), "contact_phone": phone},
        payment_choices=choices,
        lines=lines,
        initial=_contact_initial(request.user),
    )
    return member_form, 200 if member_form.is_valid() else 422


def _send_guest_code(request, form):
    """The "Send code" button: text a log-in code to the number typed (the limits of
    accounts.phone_codes apply). Returns the page's status and the number the code went to."""
    if not form.is_valid():
        return 422, None
    try:
        phone_login.send_login_code(request, form.cleaned_data["phone"])
    except phone_login.TooManyCodes as exc:
        form.add_error("phone", exc.message)
        return 429, None
    phone = display_phone(form.cleaned_data["phone"])
    return 200, {"phone": phone, "minutes": settings.PHONE_CODE_TIMEOUT // 60}


def _attach_note_fields(summary, form):
    # Each line's note as the visitor typed it (kept across "Send code" and refusals); a line that
    # joined the basket on log-in has no field yet and shows its stored note.
    for view in summary.lines:
        name = f"note_{view.line.pk}"
        view.note_field = form[name] if name in form.fields else None


def _after_checkout(request, result):
    order = result.order
    if result.error:
        messages.error(request, result.error)
    pending = order.payments.filter(status="pending").order_by("-created_at", "-pk").first()
    if order.status == OrderStatus.PENDING and pending is not None:
        # Paid in the browser (Stripe's page, Alipay's cashier): straight there.
        try:
            url = pay_url(pending)
        except NoReverseMatch:
            url = None
        if url:
            return redirect(url)
    if not result.existing:
        messages.success(
            request,
            _("Thank you! Your booking %(ref)s is confirmed.") % {"ref": order.reference}
            if order.status == OrderStatus.CONFIRMED
            else _("Your order %(ref)s is placed.") % {"ref": order.reference},
        )
    return redirect(order)


def short_link(request, ref):
    """/o/<ref>/, the link in text messages: on to the order's page, which shows it only to its
    owner, logged in (else log-in, then back). Nothing is looked up here, so the link tells a
    stranger nothing, not even whether the order exists."""
    return redirect("orders_order_detail", ref=ref)


@never_cache
@login_required
def provider_link(request, ref):
    """/p/<ref>/, the link in a host's or farmer's alert: to where they handle their part of the
    order (the farmer dashboard for produce, the order's admin page otherwise); an order they
    provide nothing of is not found."""
    lines = OrderLine.objects.filter(order__reference=ref, provider_user=request.user)
    kinds = set(lines.values_list("kind", flat=True))
    if not kinds:
        raise Http404(_("No such order."))
    if kinds == {ReservationKind.PRODUCT}:
        return redirect("farmer_orders")
    return redirect("orders_admin_manage", pk=lines.values_list("order_id", flat=True).first())


@never_cache
@login_required
def trips(request):
    orders = Order.objects.filter(user=request.user).prefetch_related("lines__voucher", "payments__refunds")
    entries = waitlist.describe(waitlist.entries_of(request.user))
    return render(request, "orders/trips.html", {"orders": orders, "waitlist_entries": entries})


@never_cache
@login_required
def order_detail(request, ref):
    order = get_object_or_404(
        Order.objects.select_related("invoice_request", "deposit_plan").prefetch_related(
            "lines__voucher", "payments__refunds"
        ),
        reference=ref,
        user=request.user,
    )
    order.user = request.user  # its owner: the invoice form's e-mail costs no query
    return _order_page(request, order)


def _order_page(request, order, *, invoice_form=None, status=200):
    # What each live line's kind says of cancelling it now: read once for the whole order's
    # cancellation and for each line's.
    terms = cancellation_terms([line for line in order.lines.all() if line.cancelled_at is None])
    quote = order_state.cancellation_quote(order, terms=terms)
    parts = deposits.parts_paid(order, list(order.payments.all()))
    # A group's order is changed by the office (``line_cancel.check_changeable``): no line offers.
    choices = {} if parts else line_cancel.line_choices(order, terms=terms)
    movable = set() if parts else stay_change.movable_lines(order, terms=terms)
    for line in order.lines.all():  # the prefetched lines the page lists
        line.cancel_choice = choices.get(line.pk)
        line.movable = line.pk in movable
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "can_cancel": order.is_open and quote.cancellable,
            "cancel_reason": quote.reason,
            "refund_fen": quote.refund_fen,
            "paid_fen": quote.paid_left_fen,
            "show_vouchers": order.status in SOLD_STATUSES,
            "nothing_paid": refunds.nothing_ever_paid(order.payments.all()),
            "cancel_form": CancelForm(),
            # The difference of a change waits to be paid online: not "to be paid on site".
            "due_online": stay_change.difference_due_online(order.payments.all()),
            # An online payment still to come (back from Alipay, Stripe or WeChat's H5 page, or
            # paying in another tab): the page follows the order's state until it arrives.
            "waiting_payment": waiting_payment(order, order.payments.all()),
            "poll_seconds": POLL_SECONDS,
            # An order paid in parts (a group's deposit, then the balance): what is due and when.
            "parts": parts,
            "part_providers": [p for p in available_providers(order) if p.online],
            **_invoice_context(order, invoice_form),
        },
        status=status,
    )


def _invoice_context(order, invoice_form):
    try:
        invoice = order.invoice_request
    except InvoiceRequest.DoesNotExist:
        invoice = None
    if invoice_form is None and not (invoice and invoice.is_invoiced):
        initial = {name: getattr(invoice, name) for name in invoices.FIELDS} if invoice else None
        invoice_form = InvoiceRequestForm(initial=initial or {"email": order.user.email})
    return {
        "invoice": invoice,
        "invoice_form": invoice_form,
        "has_receipt": receipts.has_receipt(order.payments.all()),
    }


@require_POST
@login_required
def order_invoice(request, ref):
    """Ask for an invoice (发票) on the order, or change what was asked, until it is issued."""
    order = get_object_or_404(
        Order.objects.select_related("invoice_request", "deposit_plan"), reference=ref, user=request.user
    )
    form = InvoiceRequestForm(request.POST)
    if form.is_valid():
        had_one = hasattr(order, "invoice_request")
        try:
            invoices.request_invoice(order, form.details)
        except OrderStateError as exc:
            messages.error(request, exc.message)
            return redirect(order)
        messages.success(
            request,
            _("Your invoice details are changed.")
            if had_one
            else _("Thank you: we will send the invoice to %(email)s.") % {"email": form.details.email},
        )
        return redirect(f"{order.get_absolute_url()}#invoice")
    order = (
        Order.objects.select_related("invoice_request", "user")
        .prefetch_related("lines__voucher", "payments__refunds")
        .get(pk=order.pk)
    )
    return _order_page(request, order, invoice_form=form, status=422)


@never_cache
@login_required
def order_receipt(request, ref):
    """The order's receipt (收据) as a PDF, for its owner; 404 for anyone else's or no order."""
    order = get_object_or_404(
        Order.objects.select_related("invoice_request").prefetch_related("lines", "payments"),
        reference=ref,
        user=request.user,
    )
    return receipts.receipt_response(order, site_name=site_identity(request).name)


@require_POST
@login_required
def order_cancel(request, ref):
    order = get_object_or_404(Order, reference=ref, user=request.user)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please tick the box to confirm the cancellation."))
        return redirect(order)
    try:
        result = order_state.cancel_order(order, by_user=request.user, reason=_("Cancelled by the visitor"))
    except order_state.OrderStateError as exc:
        messages.error(request, exc.message)
        return redirect(order)
    if not result.paid_fen:
        # Paying on site and cancelling before: "Refund: ¥0.00" would suggest money was kept.
        message = _("Your booking is cancelled. Nothing was paid, so there is nothing to refund.")
    elif result.refund_fen:
        message = _("Your booking is cancelled. Refund: %(amount)s.") % {
            "amount": format_fen(result.refund_fen, order.currency)
        }
    else:
        message = _("Your booking is cancelled. Nothing is refunded under the cancellation policy.")
    messages.success(request, message)
    return redirect(order)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def line_cancel_page(request, ref, line_id):
    """Cancel one line of an order (some of its tickets, or all of it): the refund cancelling
    gives now, and why, then the confirmation. The service decides both (``line_cancel``)."""
    order = get_object_or_404(Order.objects.prefetch_related("payments"), reference=ref, user=request.user)
    line = get_object_or_404(OrderLine.objects.select_related("voucher"), pk=line_id, order=order)
    status, confirm_form, quantity = 200, None, None
    if request.method == "POST":
        confirm_form = LineCancelForm(request.POST, line=line)
        if confirm_form.is_valid():
            quantity = confirm_form.cleaned_data.get("quantity")
            try:
                result = line_cancel.cancel_line(
                    order,
                    line.pk,
                    by_user=request.user,
                    quantity=quantity,
                    shown_refund_fen=confirm_form.cleaned_data["shown_refund_fen"],
                )
            except line_cancel.RefundChanged as exc:
                messages.error(request, exc.message)
                confirm_form, status = None, 409
            except OrderStateError as exc:
                if exc.code == "not_found":
                    raise Http404(exc.message) from None
                messages.error(request, exc.message)
                return redirect(order)
            except ReservationError as exc:  # the order is locked elsewhere: try again
                messages.error(request, exc.message)
                confirm_form, status = None, 409
            else:
                messages.success(request, _line_cancelled_message(result))
                return redirect(order)
        else:
            quantity = confirm_form.cleaned_data.get("quantity")
            status = 422
    else:
        chooser = LineQuantityForm(request.GET or None, line=line)
        if chooser.is_bound and chooser.is_valid():
            quantity = chooser.cleaned_data.get("quantity")
        elif chooser.is_bound:
            status = 422
    try:
        quote = line_cancel.line_cancellation_quote(order, line, quantity=quantity)
    except OrderStateError as exc:
        messages.error(request, exc.message)
        return redirect(order)
    if confirm_form is None or confirm_form.is_valid():
        initial = {"quantity": quote.quantity, "shown_refund_fen": quote.refund_fen}
        confirm_form = LineCancelForm(initial=initial, line=line)
    chooser = LineQuantityForm(initial={"quantity": quote.quantity}, line=line)
    return render(
        request,
        "orders/line_cancel.html",
        {
            "order": order,
            "line": line,
            "quote": quote,
            "chooser": chooser,
            "form": confirm_form,
            # Nothing paid yet: no "refunds ¥0.00" headline, the quote's reason says what changes.
            "nothing_paid": refunds.nothing_ever_paid(order.payments.all()),
        },
        status=status,
    )


def _line_cancelled_message(result):
    part = result.cancelled
    handler = describing_kind(part.kind)
    message = _("Cancelled: %(what)s.") % {"what": f"{handler.heading(part)} · {handler.summary(part)}"}
    quote = result.quote
    if quote.refund_fen:
        money = _("%(amount)s goes back to you; an e-mail confirms the refund.") % {
            "amount": format_fen(quote.refund_fen, result.order.currency)
        }
    elif not quote.paid_left_fen:
        money = _("Nothing was paid for it, so there is nothing to refund.")
        if quote.collect_less_fen:
            money += " " + _("You will pay %(amount)s less on site.") % {
                "amount": format_fen(quote.collect_less_fen, result.order.currency)
            }
    else:
        money = _("Nothing is refunded under the cancellation policy.")
    return f"{message} {money}"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def line_change_page(request, ref, line_id):
    """Move a stay to other dates or another room of its homestay: the new price and what the
    difference does for the dates asked (GET), then the confirmation (POST). The service decides
    both (``stay_change``)."""
    order = get_object_or_404(Order.objects.prefetch_related("payments"), reference=ref, user=request.user)
    line = get_object_or_404(OrderLine.objects.select_related("voucher"), pk=line_id, order=order)
    line.order = order  # the line's words read the order's language
    try:
        stay_change.check_can_move(order, line, list(order.payments.all()), now=timezone.now())
    except OrderStateError as exc:
        messages.error(request, exc.message)
        return redirect(order)
    room_choices = describing_kind(line.kind).change_choices(line)
    current = {"check_in": line.start_date, "check_out": line.end_date, "room_type": line.object_id}
    status, quote, refusal = 200, None, ""
    if request.method == "POST":
        chooser = StayChangeForm(request.POST, choices=room_choices)
        confirm_form = StayChangeConfirmForm(request.POST, choices=room_choices)
        if confirm_form.is_valid():
            data = confirm_form.cleaned_data
            try:
                result = stay_change.change_stay(
                    order,
                    line.pk,
                    by_user=request.user,
                    check_in=data["check_in"],
                    check_out=data["check_out"],
                    room_type_id=data["room_type"],
                    shown_difference_fen=data["shown_difference_fen"],
                )
            except stay_change.DifferenceChanged as exc:
                messages.error(request, exc.message)
                quote, status = exc.quote, 409
            except OrderStateError as exc:
                if exc.code == "not_found":
                    raise Http404(exc.message) from None
                messages.error(request, exc.message)
                return redirect(order)
            except LineInvalid as exc:
                _add_errors(chooser, exc)
                status = 422
            except ReservationError as exc:  # the nights went meanwhile, or the order is busy
                refusal, status = exc.message, 409
            else:
                messages.success(request, _stay_changed_message(result))
                return redirect(result.order)
        else:
            status = 422
    else:
        chooser = StayChangeForm(request.GET or None, choices=room_choices, initial=current)
        if chooser.is_bound and chooser.is_valid():
            data = chooser.cleaned_data
            try:
                quote = stay_change.stay_change_quote(
                    order,
                    line,
                    check_in=data["check_in"],
                    check_out=data["check_out"],
                    room_type_id=data["room_type"],
                )
            except LineInvalid as exc:
                _add_errors(chooser, exc)
                status = 422
            except ReservationError as exc:
                refusal, status = exc.message, 409
        elif chooser.is_bound:
            status = 422
    confirm_form = None
    if quote is not None:
        confirm_form = StayChangeConfirmForm(
            choices=room_choices,
            initial={
                "check_in": quote.new.start_date,
                "check_out": quote.new.end_date,
                "room_type": quote.new.object_id,
                "shown_difference_fen": quote.difference_fen,
            },
        )
    return render(
        request,
        "orders/line_change.html",
        {
            "order": order,
            "line": line,
            "chooser": chooser,
            "quote": quote,
            "refusal": refusal,
            "form": confirm_form,
            "difference": abs(quote.difference_fen) if quote else 0,
        },
        status=status,
    )


def _add_errors(form, exc):
    names = {"room_type_id": "room_type", "guests": "room_type", "rooms": "room_type"}
    for field, message in exc.errors.items():
        name = names.get(field, field)
        form.add_error(name if name in form.fields else None, message)


def _stay_changed_message(result):
    quote, currency = result.quote, result.order.currency
    message = _("Your stay is changed: %(what)s.") % {"what": f"{quote.name} · {quote.summary}"}
    if quote.to_pay_fen and quote.pay_online:
        money = _("Please pay the difference of %(amount)s below.") % {
            "amount": format_fen(quote.to_pay_fen, currency)
        }
    elif quote.to_pay_fen:
        money = _("You will pay %(amount)s more on site.") % {
            "amount": format_fen(quote.to_pay_fen, currency)
        }
    elif quote.refund_fen:
        money = _("%(amount)s goes back to you; an e-mail confirms the refund.") % {
            "amount": format_fen(quote.refund_fen, currency)
        }
    elif quote.collect_less_fen:
        money = _("You will pay %(amount)s less on site.") % {
            "amount": format_fen(quote.collect_less_fen, currency)
        }
    else:
        money = ""
    return f"{message} {money}".strip() + " " + _("Your new voucher is below.")


@never_cache
@login_required
@require_POST
def order_pay_part(request, ref):
    """Pay what is due now on an order paid in parts (the deposit, then the balance) through the
    online provider chosen: on to its pay page (``deposits.start_part_payment``)."""
    order = get_object_or_404(Order, reference=ref, user=request.user)
    try:
        payment = deposits.start_part_payment(order, request.POST.get("provider", ""))
    except OrderStateError as exc:
        messages.error(request, exc.message)
        return redirect(order)
    url = pay_url(payment)
    return redirect(url) if url else redirect(order)
