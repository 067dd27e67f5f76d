"""The call-off report: each time staff called something off (a tour slot, an event, a homestay's
nights; ``orders.organiser_cancel``), what it cancelled, what went back through the payment
providers and what could not (a refund refused, past the provider's refund window, or money paid
on site): the list staff pay back by hand, exported as CSV, with a "paid back by hand" action
that records who and when (``organiser_cancel.hand_back``).

It names visitors and moves money, so it is for those who manage orders, like the call-off itself.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView

from accounts.privacy import shown_phone
from orders import organiser_cancel
from orders.admin_views import can_manage_orders
from orders.exceptions import OrderStateError
from orders.models import BY_HAND, CallOff, CallOffRefund, CallOffRefundStatus, ReservationKind
from orders.money import format_fen
from orders.payments import get_provider
from orders.payments.exceptions import UnknownProvider

from .views import Field, FieldsReportMixin, field, yuan

BY_HAND_OR_DONE = (*BY_HAND, CallOffRefundStatus.HANDED_BACK)
SHOWN_AS_IS = ("provider", "amount", "status", "failure")


def may_read(user) -> bool:
    return can_manage_orders(user)


def show_moment(moment) -> str:
    return "" if moment is None else date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _kind_label(kind) -> str:
    if kind == ReservationKind.STAY:
        return str(gettext_lazy("Homestay nights"))
    try:
        return str(ReservationKind(kind).label)
    except ValueError:
        return kind


def _provider_label(name) -> str:
    try:
        return str(get_provider(name).label)
    except UnknownProvider:
        return name


def _user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class ManageOrdersOnly:
    def dispatch(self, request, *args, **kwargs):
        if not may_read(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _refunds_in(*statuses):
    sums = (
        CallOffRefund.objects.filter(call_off=OuterRef("pk"), status__in=statuses)
        .values("call_off")
        .annotate(total=Sum("amount_fen"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(sums), 0)


def _orders_of_call_off():
    through = CallOff.lines.through
    counts = (
        through.objects.filter(calloff_id=OuterRef("pk"))
        .values("calloff_id")
        .annotate(n=Count("orderline__order_id", distinct=True))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counts), 0)


class CallOffIndexView(ManageOrdersOnly, FieldsReportMixin, ReportView):
    """Every call-off, newest first, with its money: one query whatever their number."""

    page_title = gettext_lazy("Call-offs")
    header_icon = "warning"
    index_url_name = "reports_call_offs"
    index_results_url_name = "reports_call_offs_results"
    paginate_by = 50

    @cached_property
    def fields(self):
        return [
            Field("created_at", _("Called off"), lambda r: show_moment(r.created_at), lambda r: r.created_at),
            field("title", _("What"), "text"),
            Field("kind", _("Kind"), lambda r: _kind_label(r.kind), lambda r: r.kind),
            field("reason", _("Reason"), "text"),
            Field(
                "created_by", _("By"), lambda r: _user_name(r.created_by), lambda r: _user_name(r.created_by)
            ),
            field("order_count", _("Orders")),
            field("refunded_fen", _("Refunded by the providers (yuan)"), "money"),
            field("by_hand_fen", _("To pay back by hand (yuan)"), "money"),
            field("handed_back_fen", _("Paid back by hand (yuan)"), "money"),
        ]

    @property
    def columns(self):
        columns = super().columns
        columns[1] = TitleColumn(
            "title", label=_("What"), get_url=lambda r: reverse("reports_call_off", args=[r.pk])
        )
        return columns

    def get_filename(self):
        return "call-offs"

    def get_queryset(self):
        return (
            CallOff.objects.select_related("created_by")
            .annotate(
                order_count=_orders_of_call_off(),
                refunded_fen=_refunds_in(CallOffRefundStatus.REFUNDED),
                by_hand_fen=_refunds_in(*BY_HAND),
                handed_back_fen=_refunds_in(CallOffRefundStatus.HANDED_BACK),
            )
            .order_by("-created_at", "-pk")
        )


class HandBackColumn(Column):
    cell_template_name = "reports/call_off_hand_back_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["row"] = instance
        context["url"] = reverse("reports_call_off_hand_back", args=[instance.call_off_id, instance.pk])
        context["csrf_token"] = parent_context.get("csrf_token")
        context["request"] = parent_context.get("request")
        return context


class CallOffDetailView(ManageOrdersOnly, FieldsReportMixin, ReportView):
    """One call-off: each refund per order and payment, how it went, and the list to pay back by
    hand (``?by_hand=1``); two queries whatever the number of orders."""

    header_icon = "warning"
    results_template_name = "reports/call_off_results.html"
    index_url_name = "reports_call_off"
    index_results_url_name = "reports_call_off_results"
    paginate_by = 100

    @cached_property
    def call_off(self):
        return get_object_or_404(CallOff.objects.select_related("created_by"), pk=self.kwargs["pk"])

    @cached_property
    def by_hand_only(self):
        return self.request.GET.get("by_hand") == "1"

    def get_index_url(self):
        return reverse(self.index_url_name, args=[self.call_off.pk])

    def get_index_results_url(self):
        return reverse(self.index_results_url_name, args=[self.call_off.pk])

    def get_page_title(self):
        return _("Call-off: %(what)s") % {"what": self.call_off.title}

    def get_page_subtitle(self):
        return show_moment(self.call_off.created_at)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("reports_call_offs"), "label": _("Call-offs")},
            {"url": "", "label": self.call_off.title},
        ]

    @cached_property
    def fields(self):
        return [
            Field("order", _("Order"), lambda r: r.order.reference, lambda r: r.order.reference),
            Field("visitor", _("Visitor"), lambda r: r.order.contact_name, lambda r: r.order.contact_name),
            Field("phone", _("Phone"), self.phone_of, self.phone_of),
            Field("email", _("E-mail"), lambda r: r.order.user.email, lambda r: r.order.user.email),
            Field(
                "provider",
                _("Paid with"),
                lambda r: _provider_label(r.provider),
                lambda r: _provider_label(r.provider),
            ),
            Field(
                "amount", _("Amount (yuan)"), lambda r: format_fen(r.amount_fen), lambda r: yuan(r.amount_fen)
            ),
            Field("status", _("Refund"), lambda r: r.get_status_display(), lambda r: r.get_status_display()),
            field("failure", _("Why it failed"), "text"),
            Field(
                "handed_back_by",
                _("Paid back by"),
                lambda r: _user_name(r.handed_back_by),
                lambda r: _user_name(r.handed_back_by),
            ),
            Field(
                "handed_back_at",
                _("Paid back at"),
                lambda r: show_moment(r.handed_back_at),
                lambda r: r.handed_back_at and timezone.localtime(r.handed_back_at).replace(tzinfo=None),
            ),
        ]

    @property
    def columns(self):
        # The page puts the contact and who paid back together, so the reference fits on a line;
        # the export keeps a column each.
        shown = {f.name: f for f in self.fields}
        return [
            Column(
                "order",
                label=_("Order"),
                accessor=lambda r: format_html(
                    '<a href="{}" style="white-space: nowrap">{}</a>',
                    reverse("orders_admin_manage", args=[r.order_id]),
                    r.order.reference,
                ),
            ),
            Column("visitor", label=_("Visitor"), accessor=lambda r: r.order.contact_name),
            Column(
                "contact",
                label=_("Phone and e-mail"),
                accessor=lambda r: format_html("{}<br>{}", self.phone_of(r), r.order.user.email or ""),
            ),
            *(Column(name, label=shown[name].label, accessor=shown[name].show) for name in SHOWN_AS_IS),
            Column(
                "paid_back",
                label=_("Paid back by hand"),
                accessor=lambda r: (
                    format_html("{}<br>{}", _user_name(r.handed_back_by), show_moment(r.handed_back_at))
                    if r.handed_back_at
                    else ""
                ),
            ),
            HandBackColumn("hand_back", label=_("Paid back by hand?")),
        ]

    def phone_of(self, row):
        """The visitor's number, masked unless the user may see it in full (page and CSV alike)."""
        return shown_phone(row.order.contact_phone, self.request.user)

    def get_filename(self):
        suffix = "-by-hand" if self.by_hand_only else ""
        return f"call-off-{self.call_off.pk}{suffix}"

    def get_queryset(self):
        rows = CallOffRefund.objects.filter(call_off=self.call_off).select_related(
            "call_off", "order", "order__user", "handed_back_by"
        )
        if self.by_hand_only:
            rows = rows.filter(status__in=BY_HAND_OR_DONE)
        return rows.order_by("order__reference", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.call_off
        totals = dict(
            CallOffRefund.objects.filter(call_off=record)
            .values("status")
            .annotate(total=Sum("amount_fen"))
            .values_list("status", "total")
            .order_by()
        )
        lines = record.lines.aggregate(n=Count("pk"), orders=Count("order_id", distinct=True))
        context.update(
            {
                "call_off": record,
                "called_off_by": _user_name(record.created_by),
                "line_count": lines["n"],
                "order_count": lines["orders"],
                "refunded": format_fen(totals.get(CallOffRefundStatus.REFUNDED, 0)),
                "by_hand": format_fen(sum(totals.get(status, 0) for status in BY_HAND)),
                "handed_back": format_fen(totals.get(CallOffRefundStatus.HANDED_BACK, 0)),
                "pending": format_fen(totals.get(CallOffRefundStatus.PENDING, 0)),
                "has_pending": bool(totals.get(CallOffRefundStatus.PENDING)),
                "by_hand_only": self.by_hand_only,
                "all_url": self.get_index_url(),
                "by_hand_url": self.get_index_url() + "?by_hand=1",
                "csv_url": self.get_index_url()
                + ("?by_hand=1&" if self.by_hand_only else "?")
                + "export=csv",
            }
        )
        return context


class HandBackView(ManageOrdersOnly, View):
    """POST: staff paid this refund back by hand (``organiser_cancel.hand_back``)."""

    http_method_names = ["post"]

    def post(self, request, pk, row_pk):
        if not CallOffRefund.objects.filter(pk=row_pk, call_off_id=pk).exists():
            raise Http404
        try:
            row = organiser_cancel.hand_back(row_pk, by_user=request.user)
        except OrderStateError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Recorded: %(amount)s paid back by hand on order %(ref)s.")
                % {"amount": format_fen(row.amount_fen), "ref": row.order.reference},
            )
        back = reverse("reports_call_off", args=[pk])
        return redirect(back + ("?by_hand=1" if request.POST.get("by_hand") == "1" else ""))
