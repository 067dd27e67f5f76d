"""The finance office's list of invoice (发票) requests: each order's buyer, tax number, bank
details and what was paid, per month (the month the invoice was asked for) and status, on the
page and as CSV or XLSX, so the invoices can be issued in the tax system and marked issued on
the order (``orders.invoices.mark_invoiced``).

It names buyers and their bank details, so it is for those who manage orders.
"""

import datetime

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView

from orders.models import InvoiceRequest, InvoiceStatus, Payment
from orders.models.orders import MONEY_IN
from orders.money import format_fen

from .call_offs import ManageOrdersOnly, show_moment
from .views import Field, FieldsReportMixin, field, yuan

MONTH_RE = r"^(19|20)\d\d-(0[1-9]|1[0-2])$"


def month_bounds(value: str):
    """The first moment of the month "YYYY-MM" and of the next one, in the town's time zone."""
    year, month = (int(part) for part in value.split("-"))
    start = datetime.date(year, month, 1)
    end = datetime.date(year + month // 12, month % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(end, datetime.time.min, tzinfo=zone),
    )


class InvoiceRequestFilterSet(WagtailFilterSet):
    month = django_filters.CharFilter(
        label=gettext_lazy("Month asked"),
        method="filter_month",
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-05"}),
        validators=[RegexValidator(MONTH_RE, gettext_lazy("Give a month as YYYY-MM, for example 2026-05."))],
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=InvoiceStatus.choices,
        widget=forms.RadioSelect,
        empty_label=gettext_lazy("All"),
    )
    reference = django_filters.CharFilter(
        label=gettext_lazy("Order reference"), field_name="order__reference", lookup_expr="iexact"
    )

    class Meta:
        model = InvoiceRequest
        fields = []

    def filter_month(self, queryset, name, value):
        if not value:
            return queryset
        start, end = month_bounds(value)
        return queryset.filter(created_at__gte=start, created_at__lt=end)


def _paid_fen():
    """What the order's payments took and kept (fen), in the same query as the rows."""
    kept = (
        Payment.objects.filter(order=OuterRef("order_id"), status__in=MONEY_IN)
        .values("order")
        .annotate(total=Sum(F("amount_fen") - F("refunded_fen")))
        .values("total")[:1]
    )
    return Coalesce(Subquery(kept), 0)


def _local(moment):
    return moment and timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


class InvoiceRequestReportView(ManageOrdersOnly, FieldsReportMixin, ReportView):
    """Invoice requests, newest first: one query whatever their number."""

    page_title = gettext_lazy("Invoice requests")
    header_icon = "doc-full"
    index_url_name = "reports_invoices"
    index_results_url_name = "reports_invoices_results"
    results_template_name = "reports/report_results.html"
    filterset_class = InvoiceRequestFilterSet
    paginate_by = 100

    @cached_property
    def fields(self):
        text = lambda name, label: field(name, label, "text")  # noqa: E731
        return [
            Field("order", _("Order"), lambda r: r.order.reference, lambda r: r.order.reference),
            Field(
                "placed",
                _("Placed"),
                lambda r: show_moment(r.order.created_at),
                lambda r: _local(r.order.created_at),
            ),
            Field("asked", _("Asked"), lambda r: show_moment(r.created_at), lambda r: _local(r.created_at)),
            Field("paid", _("Paid (yuan)"), lambda r: format_fen(r.paid_fen), lambda r: yuan(r.paid_fen)),
            Field("kind", _("Type"), lambda r: r.get_kind_display(), lambda r: r.get_kind_display()),
            text("title", _("Invoice title")),
            text("tax_number", _("Tax number")),
            text("address", _("Address")),
            text("phone", _("Phone")),
            text("bank_name", _("Bank")),
            text("bank_account", _("Bank account")),
            text("email", _("E-mail")),
            Field("status", _("Status"), lambda r: r.get_status_display(), lambda r: r.get_status_display()),
            text("invoice_number", _("Invoice number")),
            Field(
                "invoiced_at",
                _("Invoiced at"),
                lambda r: show_moment(r.invoiced_at),
                lambda r: _local(r.invoiced_at),
            ),
        ]

    @property
    def columns(self):
        # The page groups the buyer's details so the table fits a screen; the exports keep a
        # column each, as the finance office types them into the tax system.
        shown = {f.name: f for f in self.fields}

        def lines(*parts):
            kept = [part for part in parts if part]
            return format_html("<br>".join(["{}"] * len(kept)), *kept) if kept else ""

        return [
            Column(
                "order",
                label=_("Order"),
                accessor=lambda r: format_html(
                    '<a href="{}#invoice" style="white-space: nowrap">{}</a>',
                    reverse("orders_admin_manage", args=[r.order_id]),
                    r.order.reference,
                ),
            ),
            *(Column(name, label=shown[name].label, accessor=shown[name].show) for name in ("asked", "paid")),
            Column(
                "buyer",
                label=_("Invoice title and tax number"),
                accessor=lambda r: lines(
                    r.title,
                    f"{r.get_kind_display()} · {r.tax_number}" if r.tax_number else r.get_kind_display(),
                ),
            ),
            Column(
                "details",
                label=_("Address, phone, bank"),
                accessor=lambda r: lines(
                    " ".join(filter(None, [r.address, r.phone])),
                    " ".join(filter(None, [r.bank_name, r.bank_account])),
                ),
            ),
            Column("email", label=shown["email"].label, accessor=shown["email"].show),
            Column(
                "status",
                label=_("Status"),
                accessor=lambda r: lines(r.get_status_display(), r.invoice_number),
            ),
        ]

    def get_filename(self):
        month = self.filters.form.cleaned_data.get("month") if self.filters.is_valid() else ""
        return f"invoice-requests-{month}" if month else "invoice-requests"

    def get_page_subtitle(self):
        month = self.filters.form.cleaned_data.get("month") if self.filters.is_valid() else ""
        if not month:
            return ""
        return date_format(datetime.date(*(int(p) for p in month.split("-")), 1), "YEAR_MONTH_FORMAT")

    def get_queryset(self):
        return (
            InvoiceRequest.objects.select_related("order")
            .annotate(paid_fen=_paid_fen())
            .order_by("-created_at", "-pk")
        )

    def get(self, request, *args, **kwargs):
        # Bad filters are refused (400) rather than ignored: an export of every month when one
        # was asked for would be worse than none.
        if self.filters and not self.filters.is_valid():
            errors = [
                f"{self.filters.form[name].label}: {error}"
                if name in self.filters.form.fields
                else str(error)
                for name, errors in self.filters.form.errors.items()
                for error in errors
            ]
            if self.is_export:
                return HttpResponseBadRequest("\n".join(errors), content_type="text/plain; charset=utf-8")
            self.object_list = []
            return self.render_to_response(self.get_context_data(filter_errors=errors), status=400)
        return super().get(request, *args, **kwargs)
