"""Staff pages in the Wagtail admin: one order's detail, "mark paid on site", "cancel and refund".

Every change goes through ``orders.order_state``; these views only check permission and input.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from . import order_state
from .models import Order


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


@require_http_methods(["GET", "POST"])
def order_manage(request, pk):
    order = get_object_or_404(Order.objects.select_related("user"), pk=pk)
    staff = can_manage_orders(request.user)
    if not staff and not is_host_of(request.user, order):
        raise PermissionDenied
    url = reverse("orders_admin_manage", args=[order.pk])
    cancel_form = StaffCancelForm(request.POST if request.POST.get("action") == "cancel" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "mark_paid":
                order_state.mark_paid_on_site(order, by_user=request.user)
                messages.success(request, _("Order %(ref)s marked paid.") % {"ref": order.reference})
                return redirect(url)
            if action == "cancel" and not staff:
                raise PermissionDenied
            if action == "cancel" and cancel_form.is_valid():
                yuan = cancel_form.cleaned_data["refund_yuan"]
                refund_fen = None if yuan is None else int(yuan * 100)
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
            if action not in ("mark_paid", "cancel"):
                messages.error(request, _("Unknown action."))
        except order_state.OrderStateError as exc:
            messages.error(request, exc.message)
            return redirect(url)
    payments = list(order.payments.prefetch_related("refunds"))
    context = {
        "order": order,
        "page_title": _("Order %(ref)s") % {"ref": order.reference},
        "lines": order.lines.select_related("voucher"),
        "payments": payments,
        "paid_left": order_state.paid_left_fen(payments),
        "can_mark_paid": any(p.provider == "on_site" and p.status == "pending" for p in payments)
        and order.status in ("confirmed", "pending"),
        "can_cancel": staff and order.is_open,
        "cancel_form": cancel_form,
    }
    return render(
        request, "orders/admin/order_manage.html", context, status=422 if cancel_form.errors else 200
    )
