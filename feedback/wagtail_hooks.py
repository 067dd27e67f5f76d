"""Problem reports in the Wagtail admin: a list with filters by village, category, status and
handler; each report's page shows what the visitor sent and its history, and takes the
assignment, the reply and closing (``admin_forms``, ``services``). Reports come from visitors
only, so nobody adds one here."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from accounts.privacy import shown_phone
from town.models import Village
from town.permissions import refuse_adding

from . import services
from .admin_forms import ProblemReportAdminForm
from .models import ProblemCategory, ProblemReport, ReportStatus
from .selectors import handlers

refuse_adding(ProblemReport)


class ProblemReportFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ReportStatus.choices, widget=forms.RadioSelect, empty_label=_("All")
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=ProblemCategory.choices, widget=forms.RadioSelect, empty_label=_("All")
    )
    village = django_filters.ModelChoiceFilter(
        label=_("Village"), queryset=lambda request: Village.objects.in_locale(), method="filter_village"
    )
    assigned_to = django_filters.ModelChoiceFilter(
        label=_("Assigned to"), queryset=lambda request: handlers()
    )
    created_at = django_filters.DateFromToRangeFilter(label=_("Received"), widget=DateRangePickerWidget)

    class Meta:
        model = ProblemReport
        fields = []

    def filter_village(self, queryset, name, village):
        # The village in any language: a report may point at a translation of the chosen one.
        if not village:
            return queryset
        return queryset.filter(village__translation_key=village.translation_key)


class ProblemReportIndexView(ModelViewSet.index_view_class):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("attraction", "village", "assigned_to")


class ProblemReportEditView(ModelViewSet.edit_view_class):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.object
        context["report"] = report
        context["photos"] = list(report.photos.all())
        context["events"] = list(report.events.select_related("by"))
        context["shown_phone"] = shown_phone(report.phone, self.request.user)
        return context

    def save_instance(self):
        data, user = self.form.cleaned_data, self.request.user
        # As stored: the model form has already set its fields on self.object.
        report = ProblemReport.objects.get(pk=self.object.pk)
        if data.get("assigned_to") != report.assigned_to:
            report = services.assign_report(report, data.get("assigned_to"), by=user)
        reply = (data.get("reply_text") or "").strip()
        if reply and reply != report.reply:
            report = services.reply_to_report(report, reply, by=user)
        if data.get("close"):
            report = services.close_report(report, by=user)
        return report


class ProblemReportViewSet(ModelViewSet):
    model = ProblemReport
    menu_label = _("Problem reports")
    icon = "warning"
    add_to_admin_menu = True
    menu_order = 420
    list_display = [
        "__str__",
        Column("place_name", label=_("Where")),
        "village",
        "status",
        "assigned_to",
        "created_at",
    ]
    filterset_class = ProblemReportFilterSet
    search_fields = ["text", "ref", "reply"]
    list_export = [
        "ref",
        "category",
        "place_name",
        "village",
        "status",
        "assigned_to",
        "created_at",
        "first_replied_at",
        "closed_at",
        "text",
        "reply",
    ]
    export_filename = "problem-reports"
    index_view_class = ProblemReportIndexView
    edit_view_class = ProblemReportEditView
    edit_template_name = "feedback/admin/edit.html"
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return ProblemReportAdminForm


@hooks.register("register_admin_viewset")
def register_problem_report_viewset():
    return ProblemReportViewSet("feedback_reports", url_prefix="problem-reports")
