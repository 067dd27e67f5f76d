"""Staff pages in the Wagtail admin: one order's detail, "mark paid on site", "cancel and refund",
"refund part" (without cancelling).

Every change goes through ``orders.order_state`` or ``orders.refunds``; these views only check
permission and input.
"""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.privacy import shown_phone
from town.sites import site_identity

from . import deposits, invoices, order_state, receipts, refunds
from .models import InvoiceRequest, Order
from .money import format_fen, yuan_to_fen


def can_manage_orders(user) -> bool:
    return bool(user.is_active and (user.is_superuser or user.has_perm("orders.change_order")))


def is_host_of(user, order) -> bool:
    """The host of every line of the order (hosts may see it and mark it paid, nothing more)."""
    providers = {line.provider_user_id for line in order.lines.all()}
    return bool(user.is_active and user.pk and providers == {user.pk})


class StaffCancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (sent to the visitor)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    refund_yuan = forms.DecimalField(
        label=gettext_lazy("Refund (yuan)"),
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=12,
        help_text=gettext_lazy("Leave empty to refund everything that was paid."),
    )


class PartRefundForm(forms.Form):
    """Give back part of what was paid without cancelling: an amount in yuan and a reason."""

    amount_yuan = forms.DecimalField(
        label=gettext_lazy("Amount to refund (yuan)"),
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy("For example 12.50. At most what is left paid."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (sent to the visitor)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    manual = forms.BooleanField(
        label=gettext_lazy("Paid back by hand (cash or bank transfer): only record it"),
        required=False,
    )
    # One refund per form shown: ``refund_part`` records the token under the order's lock, so a
    # resubmitted form (a double click, a retried post) refunds nothing more.
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, refundable_fen=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.refundable_fen = refundable_fen
        self.initial.setdefault("token", uuid.uuid4())

    def clean_amount_yuan(self):
        yuan = self.cleaned_data["amount_yuan"]
        fen = yuan_to_fen(yuan)
        if fen <= 0:
            raise forms.ValidationError(_("Please give an amount greater than zero."))
        if fen > self.refundable_fen:
            raise forms.ValidationError(
                _("At most %(amount)s can be refunded.") % {"amount": format_fen(self.refundable_fen)}
            )
        return fen

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Please give a reason for the refund."))
        return reason


class BankTransferForm(forms.Form):
    """Money for an order paid in parts that arrived by bank transfer (``deposits``)."""

    amount_yuan = forms.DecimalField(
        label=gettext_lazy("Amount received (yuan)"), max_digits=12, decimal_places=2, min_value=0
    )
    paid_on = forms.DateField(
        label=gettext_lazy("Day it arrived"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=gettext_lazy("Bank reference"), max_length=deposits.MAX_REFERENCE)


class MarkInvoicedForm(forms.Form):
    invoice_number = forms.CharField(label=gettext_lazy("Invoice number"), max_length=40)


def _already_sent(request, earlier):
    messages.info(
        request,
        _("This refund form was already sent (%(amount)s at %(time)s); nothing more was refunded.")
        % {
            "amount": format_fen(earlier.amount_fen, earlier.order.currency),
            "time": localtime(earlier.created_at).strftime("%Y-%m-%d %H:%M"),
        },
    )


@require_http_methods(["GET", "POST"])
def order_manage(request, pk):
    order = get_object_or_404(Order.objects.select_related("user"), pk=pk)
    staff = can_manage_orders(request.user)
    host = is_host_of(request.user, order)
    if not staff and not host:
        raise PermissionDenied
    url = reverse("orders_admin_manage", args=[order.pk])
    cancel_form = StaffCancelForm(request.POST if request.POST.get("action") == "cancel" else None)
    paid_left = refunds.paid_left_fen(order.payments.all())
    refund_form = PartRefundForm(
        request.POST if request.POST.get("action") == "refund" else None, refundable_fen=paid_left
    )
    invoiced_form = MarkInvoicedForm(request.POST if request.POST.get("action") == "invoiced" else None)
    transfer_form = BankTransferForm(request.POST if request.POST.get("action") == "transfer" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "transfer" and not staff:
                raise PermissionDenied
            if action == "transfer" and transfer_form.is_valid():
                data = transfer_form.cleaned_data
                try:
                    deposits.record_bank_transfer(
                        order,
                        amount_fen=yuan_to_fen(data["amount_yuan"]),
                        paid_on=data["paid_on"],
                        reference=data["reference"],
                        by_user=request.user,
                    )
                except deposits.TransferInvalid as exc:
                    for name, message in exc.errors.items():
                        field = {"amount_fen": "amount_yuan"}.get(name, name)
                        transfer_form.add_error(field if field in transfer_form.fields else None, message)
                else:
                    messages.success(
                        request, _("Bank transfer recorded on order %(ref)s.") % {"ref": order.reference}
                    )
                    return redirect(url)
            if action == "invoiced" and not staff:
                raise PermissionDenied
            if action == "invoiced" and invoiced_form.is_valid():
                try:
                    invoices.mark_invoiced(
                        order,
                        invoice_number=invoiced_form.cleaned_data["invoice_number"],
                        by_user=request.user,
                    )
                except invoices.InvoiceInvalid as exc:
                    for name, message in exc.errors.items():
                        invoiced_form.add_error(name, message)
                else:
                    messages.success(request, _("Order %(ref)s marked invoiced.") % {"ref": order.reference})
                    return redirect(url)
            if action == "refund" and not staff:
                raise PermissionDenied
            if action == "refund" and refund_form.is_valid():
                result = refunds.refund_part(
                    order,
                    refund_form.cleaned_data["amount_yuan"],
                    reason=refund_form.cleaned_data["reason"],
                    by_user=request.user,
                    manual=refund_form.cleaned_data["manual"],
                    token=refund_form.cleaned_data["token"],
                )
                if result.repeated:
                    _already_sent(request, result.repeated)
                    return redirect(url)
                if result.refunds:
                    messages.success(
                        request,
                        _("%(amount)s refunded on order %(ref)s.")
                        % {"amount": format_fen(result.refunded_fen, order.currency), "ref": order.reference},
                    )
                if result.failed_fen:
                    messages.error(
                        request,
                        _(
                            "%(amount)s could not be refunded through the payment provider: pay it back "
                            "by hand and record it with the box ticked."
                        )
                        % {"amount": format_fen(result.failed_fen, order.currency)},
                    )
                return redirect(url)
            if action == "refund" and (earlier := refunds.refund_request_for(request.POST.get("token"))):
                # Sent again after it went through (the cap may now refuse the amount): say so.
                _already_sent(request, earlier)
                return redirect(url)
            if action == "mark_paid":
                order_state.mark_paid_on_site(order, by_user=request.user)
                messages.success(request, _("Order %(ref)s marked paid.") % {"ref": order.reference})
                return redirect(url)
            if action == "cancel" and not staff:
                raise PermissionDenied
            if action == "cancel" and cancel_form.is_valid():
                yuan = cancel_form.cleaned_data["refund_yuan"]
                refund_fen = None if yuan is None else yuan_to_fen(yuan)
                result = order_state.cancel_order(
                    order,
                    by_user=request.user,
                    staff=True,
                    reason=cancel_form.cleaned_data["reason"],
                    refund_fen=refund_fen,
                )
                messages.success(
                    request,
                    _("Order %(ref)s cancelled; %(fen)s fen to be refunded.")
                    % {"ref": order.reference, "fen": result.refund_fen},
                )
                return redirect(url)
            if action not in ("mark_paid", "cancel", "refund", "invoiced", "transfer"):
                messages.error(request, _("Unknown action."))
        except order_state.OrderStateError as exc:
            messages.error(request, exc.message)
            return redirect(url)
    payments = list(order.payments.select_related("recorded_by").prefetch_related("refunds__created_by"))
    context = {
        "order": order,
        # The host calls their guest; staff see the number in full only with the permission.
        "contact_phone": shown_phone(order.contact_phone, request.user, serves=host),
        "page_title": _("Order %(ref)s") % {"ref": order.reference},
        "lines": order.lines.select_related("voucher"),
        "payments": payments,
        "paid_left": refunds.paid_left_fen(payments),
        "can_mark_paid": any(p.provider == "on_site" and p.status == "pending" for p in payments)
        and order.status in ("confirmed", "pending"),
        "can_cancel": staff and order.is_open,
        "cancel_form": cancel_form,
        "can_refund": staff and refunds.paid_left_fen(payments) > 0,
        "refund_form": refund_form,
        "invoice": InvoiceRequest.objects.filter(order=order).select_related("invoiced_by").first(),
        "invoiced_form": invoiced_form,
        "is_staff": staff,
        "has_receipt": receipts.has_receipt(payments),
        # Paid in parts (a group's deposit and balance): staff record bank transfers here.
        "parts": deposits.parts_paid(order, payments),
        "transfer_form": transfer_form,
    }
    invalid = cancel_form.errors or refund_form.errors or invoiced_form.errors or transfer_form.errors
    return render(request, "orders/admin/order_manage.html", context, status=422 if invalid else 200)


def order_receipt(request, pk):
    """The order's receipt (收据) as a PDF, for staff (the visitor's is ``views.order_receipt``)."""
    if not can_manage_orders(request.user):
        raise PermissionDenied
    order = get_object_or_404(
        Order.objects.select_related("invoice_request").prefetch_related("lines", "payments"), pk=pk
    )
    return receipts.receipt_response(order, site_name=site_identity(request).name)
