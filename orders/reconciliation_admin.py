"""Wagtail admin: the daily reconciliation (对账) report. The reconciled days with their totals
(the statement's against ours), and the discrepancies, open first, each linked to its order;
staff mark one resolved with a note. The work is in ``payments.reconciliation``."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .admin_views import can_manage_orders
from .models import Discrepancy, DiscrepancyKind, ReconciliationDay
from .payments import reconciliation
from .payments.base import get_provider
from .payments.exceptions import UnknownProvider

DAYS_SHOWN = 31  # without a date filter: the last month
DISCREPANCIES_SHOWN = 300


def provider_label(name) -> str:
    try:
        return str(get_provider(name).label)
    except UnknownProvider:
        return name


class ReconciliationFilter(forms.Form):
    provider = forms.ChoiceField(label=gettext_lazy("Provider"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All"))] + DiscrepancyKind.choices,
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput({"type": "date"})
    )
    resolved = forms.BooleanField(label=gettext_lazy("Show resolved too"), required=False)

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", _("All"))] + [(p, provider_label(p)) for p in providers]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The first day must not be after the last."))
        return data


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=2000,
        widget=forms.TextInput({"placeholder": gettext_lazy("What was found, what was done")}),
    )


def _staff_only(request):
    if not can_manage_orders(request.user):
        raise PermissionDenied


def _order_url(discrepancy):
    order = discrepancy.order
    return reverse("orders_admin_manage", args=[order.pk]) if order else None


def reconciliation_index(request, *, resolve_errors=None, status=200):
    _staff_only(request)
    providers = ReconciliationDay.objects.order_by("provider").values_list("provider", flat=True).distinct()
    form = ReconciliationFilter(request.GET or None, providers=providers)
    days = ReconciliationDay.objects.all()
    discrepancies = Discrepancy.objects.select_related(
        "day", "payment__order", "refund__payment__order", "resolved_by"
    )
    if form.is_bound and not form.is_valid():
        status = 400
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if data.get("provider"):
        days = days.filter(provider=data["provider"])
        discrepancies = discrepancies.filter(day__provider=data["provider"])
    if data.get("date_from"):
        days = days.filter(day__gte=data["date_from"])
        discrepancies = discrepancies.filter(day__day__gte=data["date_from"])
    if data.get("date_to"):
        days = days.filter(day__lte=data["date_to"])
        discrepancies = discrepancies.filter(day__day__lte=data["date_to"])
    if not (data.get("date_from") or data.get("date_to")):
        days = days.filter(day__gte=timezone.localdate() - timedelta(days=DAYS_SHOWN))
    if data.get("kind"):
        discrepancies = discrepancies.filter(kind=data["kind"])
    if not data.get("resolved"):
        discrepancies = discrepancies.filter(resolved_at__isnull=True)
    rows = list(
        discrepancies.order_by("resolved_at", "-day__day", "day__provider", "pk")[:DISCREPANCIES_SHOWN]
    )
    for row in rows:
        row.order_url = _order_url(row)
        row.provider_label = provider_label(row.day.provider)
        row.resolve_form = (resolve_errors or {}).get(row.pk) or ResolveForm(prefix=f"d{row.pk}")
    day_rows = list(days)
    for day in day_rows:
        day.provider_label = provider_label(day.provider)
    context = {
        "page_title": _("Reconciliation"),
        "form": form,
        "days": day_rows,
        "discrepancies": rows,
    }
    return render(request, "orders/admin/reconciliation.html", context, status=status)


@require_POST
def reconciliation_resolve(request, pk):
    """Staff looked into one discrepancy: resolved, with what they found (a note is required)."""
    _staff_only(request)
    discrepancy = get_object_or_404(Discrepancy, pk=pk)
    form = ResolveForm(request.POST, prefix=f"d{pk}")
    if not form.is_valid():
        messages.error(request, _("Say in a note what was found before marking it resolved."))
        return reconciliation_index(request, resolve_errors={pk: form}, status=400)
    if reconciliation.resolve(discrepancy, user=request.user, note=form.cleaned_data["note"]):
        messages.success(request, _("Marked resolved."))
    else:
        messages.info(request, _("It was already resolved."))
    back = reverse("orders_admin_reconciliation")
    query = request.POST.get("next_query", "")
    return redirect(f"{back}?{query}" if query else back)
