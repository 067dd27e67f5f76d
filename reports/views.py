"""The four town reports in the Wagtail admin: homestays, tours and events, the shop, and common
prosperity.

Each is a Wagtail ``ReportView`` (listing, pagination, CSV/XLSX export) whose rows come from
``reports.figures`` for the filter form's period, village and grouping: no queryset is filtered
here. The page shows the figures for people (yuan, percentages, local dates); the exports carry
the same rows as plain numbers (yuan as decimals, percentages with one decimal).
"""

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.ui.tables import Column, Table
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from feedback.selectors import response_time_rows
from orders.money import fen_to_yuan, format_fen

from . import figures, study_tours
from .filters import (
    HomestayFilterSet,
    ProblemReportFilterSet,
    ProsperityFilterSet,
    ShopFilterSet,
    StudyTourFilterSet,
    TourEventFilterSet,
)
from .models import TownReport

permission_policy = ModelPermissionPolicy(TownReport)


# --- values for people (page) and for spreadsheets (export) ----------------------------------


def percent(rate) -> Decimal | None:
    """A 0..1 rate as a percentage with one decimal, rounded half up (page and exports alike)."""
    if rate is None:
        return None
    return Decimal(rate * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def show_percent(rate) -> str:
    value = percent(rate)
    return "—" if value is None else f"{value}%"


def show_money(fen) -> str:
    return "" if fen is None else format_fen(fen)


def yuan(fen) -> Decimal | None:
    return None if fen is None else fen_to_yuan(fen)


def show_hours(hours) -> str:
    return "" if hours is None else f"{Decimal(hours).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"


def raw_hours(hours) -> Decimal | None:
    return None if hours is None else Decimal(hours).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def show_date(day) -> str:
    return "" if day is None else date_format(day, "SHORT_DATE_FORMAT")


def show_month(day) -> str:
    return date_format(day, "YEAR_MONTH_FORMAT")


def show_yes_no(value) -> str:
    if value is None:
        return ""
    return str(_("Yes") if value else _("No"))


@dataclass
class Field:
    """One column: its label, how the page shows it and what the export writes."""

    name: str
    label: str
    show: Callable
    export: Callable


def field(name, label, kind="count"):
    get = lambda row: getattr(row, name)  # noqa: E731
    show, export = {
        "text": (get, get),
        "count": (get, get),
        "money": (lambda row: show_money(get(row)), lambda row: yuan(get(row))),
        "rate": (lambda row: show_percent(get(row)), lambda row: percent(get(row))),
        "date": (lambda row: show_date(get(row)), get),
        "hours": (lambda row: show_hours(get(row)), lambda row: raw_hours(get(row))),
        "yes_no": (lambda row: show_yes_no(get(row)), get),
    }[kind]
    return Field(name, label, show, export)


class FiguresTable(Table):
    """Total rows in bold."""

    def get_row_classname(self, instance):
        return "w-font-bold" if getattr(instance, "is_total", False) else ""


# --- the base view ----------------------------------------------------------------------------


class FieldsReportMixin:
    """A report whose columns and exports come from ``self.fields`` (``Field``: what the page
    shows, what the export writes), with its CSV written while the view runs."""

    @property
    def columns(self):
        return [Column(f.name, label=f.label, accessor=f.show) for f in self.fields]

    @property
    def list_export(self):
        return [f.name for f in self.fields]

    @property
    def export_headings(self):
        return {f.name: f.label for f in self.fields}

    def to_row_dict(self, item):
        return {f.name: f.export(item) for f in self.fields}

    def write_csv_response(self, queryset):
        # Wagtail streams its CSV after the view has returned, outside the admin user's language
        # (headings would come out in the default one); the rows are few, so write it all now.
        # The byte order mark lets Excel read the Chinese names as UTF-8.
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.DictWriter(buffer, fieldnames=self.list_export)
        writer.writerow({name: self.get_heading(queryset, name) for name in self.list_export})
        for item in queryset:
            self.write_csv_row(writer, self.to_row_dict(item))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.get_filename()}.csv"'
        return response


class TownReportView(FieldsReportMixin, ReportView):
    """A report over ``figures``: subclasses give the filter set, the fields and ``get_rows``."""

    results_template_name = "reports/report_results.html"
    permission_policy = permission_policy
    permission_required = "view"
    table_class = FiguresTable
    header_icon = "table"
    filename_prefix = "report"
    paginate_by = 50

    def get_rows(self, period, village_id, group):
        raise NotImplementedError

    def get_fields(self, group):
        raise NotImplementedError

    @cached_property
    def report_args(self):
        """(Period, village id, group), or None when the filters are not valid."""
        if not self.filters.is_valid():
            return None
        return self.filters.report_args()

    @cached_property
    def group(self):
        return self.report_args[2] if self.report_args else self.filters.default_values().get("group")

    @cached_property
    def fields(self):
        return self.get_fields(self.group)

    def get_queryset(self):
        if self.report_args is None:
            return []
        return self.get_rows(*self.report_args)

    def filter_queryset(self, queryset):
        return queryset  # the figures functions did the filtering

    def get_filename(self):
        period = self.report_args[0]
        last_day = period.end - datetime.timedelta(days=1)
        return f"{self.filename_prefix}-{period.start.isoformat()}-{last_day.isoformat()}"

    def get_page_subtitle(self):
        if self.report_args is None:
            return ""
        period = self.report_args[0]
        last_day = period.end - datetime.timedelta(days=1)
        return f"{show_date(period.start)} – {show_date(last_day)}"

    def get(self, request, *args, **kwargs):
        if self.report_args is None:
            return self.invalid_filters()
        return super().get(request, *args, **kwargs)

    def invalid_filters(self):
        """Bad filters: the page with the form's errors, or a plain message for an export; 400."""
        if self.is_export:
            return HttpResponseBadRequest(
                "\n".join(self.filter_errors), content_type="text/plain; charset=utf-8"
            )
        self.object_list = []
        context = self.get_context_data(filter_errors=self.filter_errors)
        return self.render_to_response(context, status=400)

    @cached_property
    def filter_errors(self):
        form = self.filters.form
        return [
            f"{form[name].label}: {error}" if name in form.fields else str(error)
            for name, errors in form.errors.items()
            for error in errors
        ]


# --- the four reports -------------------------------------------------------------------------


class HomestayReportView(TownReportView):
    page_title = _("Homestays")
    header_icon = "home"
    filterset_class = HomestayFilterSet
    index_url_name = "reports_homestays"
    index_results_url_name = "reports_homestays_results"
    filename_prefix = "homestays"

    def get_rows(self, period, village_id, group):
        return figures.homestay_rows(period, village_id=village_id, group=group)

    def get_fields(self, group):
        by_village = group == "village"
        fields = [field("name", _("Village") if by_village else _("Homestay"), "text")]
        if not by_village:
            fields.append(field("village", _("Village"), "text"))
        return fields + [
            field("rooms", _("Rooms")),
            field("room_nights_available", _("Room-nights available")),
            field("nights_sold", _("Nights sold")),
            field("occupancy", _("Occupancy (%)"), "rate"),
            field("revenue_fen", _("Revenue (yuan)"), "money"),
            field("average_nightly_fen", _("Average per night (yuan)"), "money"),
            field("cancellations", _("Cancellations")),
            field("cancelled_nights", _("Cancelled nights")),
        ]


class TourEventReportView(TownReportView):
    page_title = _("Tours and events")
    header_icon = "date"
    filterset_class = TourEventFilterSet
    index_url_name = "reports_tours_events"
    index_results_url_name = "reports_tours_events_results"
    filename_prefix = "tours-events"

    def get_rows(self, period, village_id, group):
        return figures.tour_event_rows(period, village_id=village_id, group=group)

    def get_fields(self, group):
        kinds = {"tour": _("Tour"), "event": _("Event")}
        kind = Field("kind", _("Kind"), lambda row: kinds.get(row.kind, row.kind), lambda row: row.kind)
        return [
            field("date", _("Date"), "date"),
            kind,
            field("name", _("Name"), "text"),
            field("village", _("Village"), "text"),
            field("capacity", _("Capacity")),
            field("sold", _("Sold")),
            field("fill_rate", _("Fill rate (%)"), "rate"),
            field("checked_in", _("Checked in")),
            field("attendance_rate", _("Attendance (%)"), "rate"),
            field("revenue_fen", _("Revenue (yuan)"), "money"),
        ]


class ShopReportView(TownReportView):
    page_title = _("Shop")
    header_icon = "pick"
    filterset_class = ShopFilterSet
    index_url_name = "reports_shop"
    index_results_url_name = "reports_shop_results"
    filename_prefix = "shop"

    def get_rows(self, period, village_id, group):
        return figures.shop_rows(period, village_id=village_id, group=group)

    def get_fields(self, group):
        names = {"producer": _("Producer"), "village": _("Village"), "category": _("Category")}
        fields = [field("name", names.get(group, _("Name")), "text")]
        if group == "producer":
            fields.append(field("supported_household", _("Supported household"), "yes_no"))
        return fields + [
            field("orders", _("Orders")),
            field("units", _("Units")),
            field("revenue_fen", _("Revenue (yuan)"), "money"),
            field("fulfilled", _("Fulfilled")),
            field("open", _("Open")),
            field("average_fulfilment_hours", _("Average hours to fulfil"), "hours"),
        ]


class ProsperityReportView(TownReportView):
    page_title = _("Common prosperity")
    header_icon = "group"
    filterset_class = ProsperityFilterSet
    index_url_name = "reports_prosperity"
    index_results_url_name = "reports_prosperity_results"
    filename_prefix = "prosperity"

    def get_rows(self, period, village_id, group):
        return figures.prosperity_rows(period, village_id=village_id)

    def get_fields(self, group):
        month = Field("month", _("Month"), lambda row: show_month(row.month), lambda row: row.month)
        return [
            month,
            field("village", _("Village"), "text"),
            field("stays_fen", _("Stays (yuan)"), "money"),
            field("tours_fen", _("Tours (yuan)"), "money"),
            field("tickets_fen", _("Tickets (yuan)"), "money"),
            field("produce_fen", _("Produce (yuan)"), "money"),
            field("total_fen", _("Total (yuan)"), "money"),
            field("supported_fen", _("To supported households (yuan)"), "money"),
            field("supported_share", _("Supported share (%)"), "rate"),
        ]


class ProblemReportTimesView(TownReportView):
    """How fast visitors' problem reports were answered and closed, month by month
    (``feedback.selectors``: the rules of the figures), with the whole period as the last row."""

    page_title = _("Answers to problem reports")
    header_icon = "warning"
    filterset_class = ProblemReportFilterSet
    index_url_name = "reports_problem_reports"
    index_results_url_name = "reports_problem_reports_results"
    filename_prefix = "problem-reports"

    def get_rows(self, period, village_id, group):
        return response_time_rows(period.start, period.end, village_id=village_id)

    def get_fields(self, group):
        def month_show(row):
            return str(_("Whole period")) if row.is_total else show_month(row.month)

        month = Field("month", _("Month"), month_show, lambda row: "" if row.is_total else row.month)
        return [
            month,
            # In context: "Closed" is a closed room elsewhere in the catalogue.
            field("received", pgettext_lazy("problem report", "Received")),
            field("replied", pgettext_lazy("problem report", "Replied")),
            field("median_reply_hours", _("Median hours to first reply"), "hours"),
            field("replied_within_24h", _("Replied within 24 h (%)"), "rate"),
            field("closed", pgettext_lazy("problem report", "Closed")),
            field("median_close_hours", _("Median hours to close"), "hours"),
            field("closed_within_24h", _("Closed within 24 h (%)"), "rate"),
            field("open", _("Still open")),
        ]


class StudyTourReportView(TownReportView):
    """Study tours and groups (``reports.study_tours``: accepted quotes at the group's price):
    per month of the groups' first days, per village the money went to, or per programme."""

    page_title = _("Study tours and groups")
    header_icon = "clipboard-list"  # "group" is common prosperity's, next to it in the menu
    filterset_class = StudyTourFilterSet
    index_url_name = "reports_study_tours"
    index_results_url_name = "reports_study_tours_results"
    filename_prefix = "study-tours"

    def get_rows(self, period, village_id, group):
        return study_tours.study_tour_rows(period, village_id=village_id, group=group)

    def get_fields(self, group):
        # The figures read most come first: on a phone the table scrolls sideways after them.
        # "Groups" and "Programme" in context: elsewhere they are user groups and an event's programme.
        groups = field("groups", pgettext_lazy("study-tour report", "Groups"))
        revenue = field("revenue_fen", _("Revenue (yuan)"), "money")
        share = field("share", _("Share of revenue (%)"), "rate")
        pupils = field("pupils", _("Pupils"))
        pupil_days = field("pupil_days", _("Pupil-days"))
        if group == "village":
            return [
                field("name", _("Village"), "text"),
                groups,
                revenue,
                share,
                field("rooms_fen", _("Rooms (yuan)"), "money"),
                field("tours_fen", _("Tours (yuan)"), "money"),
                field("entries_fen", _("Entries (yuan)"), "money"),
                field("meals_fen", _("Meals (yuan)"), "money"),
                field("transport_fen", _("Transport (yuan)"), "money"),
            ]
        if group == "programme":
            return [
                field("name", pgettext_lazy("study-tour report", "Programme"), "text"),
                groups,
                pupils,
                revenue,
                share,
                field("per_pupil_fen", _("Per pupil (yuan)"), "money"),
                pupil_days,
            ]

        def month_show(row):
            return str(_("Whole period")) if row.is_total else show_month(row.month)

        month = Field("month", _("Month"), month_show, lambda row: "" if row.is_total else row.month)
        return [
            month,
            groups,
            pupils,
            revenue,
            field("teachers", _("Teachers")),
            field("adults", _("Other adults")),
            pupil_days,
        ]
