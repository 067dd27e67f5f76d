"""Group enquiries (and their quotes) in the Wagtail admin: the enquiries list with filters by
status, type and dates; each enquiry's page shows what the group asked for and takes its status
and a staff note. Enquiries come from visitors only, so nobody adds one here."""

import django_filters
from django import forms
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from town.permissions import refuse_adding

from .admin_quotes import QuoteViewSet, entry_window_chooser, room_type_chooser, tour_slot_chooser
from .admin_rosters import roster_export, roster_upload
from .models import EnquiryStatus, GroupEnquiry, OrganisationKind

refuse_adding(GroupEnquiry)


class GroupEnquiryFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=EnquiryStatus.choices, widget=forms.RadioSelect, empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Type"), choices=OrganisationKind.choices, widget=forms.RadioSelect, empty_label=_("All")
    )
    start_date = django_filters.DateFromToRangeFilter(label=_("First day"), widget=DateRangePickerWidget)
    created_at = django_filters.DateFromToRangeFilter(label=_("Received"), widget=DateRangePickerWidget)

    class Meta:
        model = GroupEnquiry
        fields = []


class GroupEnquiryIndexView(ModelViewSet.index_view_class):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("programme")


class GroupEnquiryViewSet(ModelViewSet):
    model = GroupEnquiry
    menu_label = _("Group enquiries")
    icon = "group"
    add_to_admin_menu = True
    menu_order = 430
    list_display = [
        "organisation",
        "kind",
        "start_date",
        "end_date",
        Column("people", label=_("People")),
        "programme",
        "status",
        "created_at",
    ]
    list_filter = []
    filterset_class = GroupEnquiryFilterSet
    search_fields = ["organisation", "ref", "contact_name", "wishes"]
    list_export = [
        "ref",
        "organisation",
        "kind",
        "start_date",
        "end_date",
        "pupils",
        "teachers",
        "adults",
        "ages",
        "programme",
        "budget_fen",
        "status",
        "created_at",
    ]
    export_filename = "group-enquiries"
    index_view_class = GroupEnquiryIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    panels = [MultiFieldPanel([FieldPanel("status"), FieldPanel("staff_note")], heading=_("Handling"))]


@hooks.register("register_admin_viewset")
def register_group_viewsets():
    return [
        GroupEnquiryViewSet("groups_enquiries", url_prefix="group-enquiries"),
        QuoteViewSet("groups_quotes", url_prefix="group-quotes"),
        room_type_chooser,
        tour_slot_chooser,
        entry_window_chooser,
    ]


@hooks.register("register_admin_urls")
def register_roster_urls():
    return [
        path("group-rosters/<int:pk>/export.<str:fmt>", roster_export, name="groups_roster_export"),
        path("group-rosters/<int:pk>/upload/", roster_upload, name="groups_roster_upload"),
    ]


@hooks.register("register_log_actions")
def register_roster_log_actions(actions):
    actions.register_action(
        "groups.roster_export_full",
        _("Roster exported with full ID numbers"),
        _("Roster exported with full ID numbers"),
    )
