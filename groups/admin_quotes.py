"""Quotes in the Wagtail admin: staff build a quote for an enquiry from real inventory — a room
type, a tour slot, an entry window, each picked in a chooser that lists only what can still be
sold (open, from today on) — plus meals and transport, and send it: saving a quote as "sent"
texts its link to the group (``services.send_quote``)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Locale

from attractions.models import TourSlotStatus

from . import services
from .admin_rosters import RosterPanel
from .models import EntryWindowChoice, Quote, QuoteLine, QuoteStatus, RoomTypeChoice, TourSlotChoice


class DayFilterForm(BaseFilterForm):
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filter(self, objects):
        day = self.cleaned_data.get("day")
        return objects.filter(starts_at__date=day) if day else objects


class RoomTypeChooserViewSet(ChooserViewSet):
    model = RoomTypeChoice
    icon = "home"
    choose_one_text = _("Choose a room type")
    choose_another_text = _("Choose another room type")
    per_page = 20

    def get_object_list(self):
        # The default-locale rows carry the inventory (translations share them).
        return (
            RoomTypeChoice.objects.filter(locale=Locale.get_default())
            .select_related("page")
            .order_by("page__title", "sort_order", "pk")
        )


class TourSlotChooserViewSet(ChooserViewSet):
    model = TourSlotChoice
    icon = "date"
    choose_one_text = _("Choose a tour slot")
    choose_another_text = _("Choose another tour slot")
    filter_form_class = DayFilterForm
    per_page = 20

    def get_object_list(self):
        return (
            TourSlotChoice.objects.filter(status=TourSlotStatus.OPEN, starts_at__gte=timezone.now())
            .select_related("experience")
            .order_by("starts_at", "pk")
        )


class EntryWindowChooserViewSet(ChooserViewSet):
    model = EntryWindowChoice
    icon = "time"
    choose_one_text = _("Choose an entry window")
    choose_another_text = _("Choose another entry window")
    filter_form_class = DayFilterForm
    per_page = 20

    def get_object_list(self):
        return (
            EntryWindowChoice.objects.filter(rule__active=True, starts_at__gte=timezone.now())
            .select_related("rule__spot")
            .order_by("starts_at", "pk")
        )


room_type_chooser = RoomTypeChooserViewSet("groups_room_type_chooser", url_prefix="groups/choose-room-type")
tour_slot_chooser = TourSlotChooserViewSet("groups_tour_slot_chooser", url_prefix="groups/choose-tour-slot")
entry_window_chooser = EntryWindowChooserViewSet(
    "groups_entry_window_chooser", url_prefix="groups/choose-entry-window"
)

QuoteLine.panels = [
    FieldRowPanel(
        [FieldPanel("kind"), FieldPanel("day"), FieldPanel("quantity"), FieldPanel("unit_price_fen")]
    ),
    FieldPanel("room_type", widget=room_type_chooser.widget_class),
    FieldPanel("nights"),
    FieldPanel("tour_slot", widget=tour_slot_chooser.widget_class),
    FieldPanel("entry_window", widget=entry_window_chooser.widget_class),
    FieldPanel("description"),
]


class QuoteSaveMixin:
    """Saving a quote as "sent" sends it (its link texted to the group) once it is stored."""

    def save_instance(self):
        instance = super().save_instance()
        if instance.status == QuoteStatus.SENT:
            link = self.request.build_absolute_uri(instance.get_absolute_url())
            instance = services.send_quote(instance, link=link)
        return instance


class QuoteCreateView(QuoteSaveMixin, ModelViewSet.add_view_class):
    def get_initial_form_instance(self):
        instance = super().get_initial_form_instance()
        enquiry = self.request.GET.get("enquiry", "")
        if enquiry.isdigit():
            instance.enquiry_id = int(enquiry)
        return instance


class QuoteEditView(QuoteSaveMixin, ModelViewSet.edit_view_class):
    pass


class QuoteIndexView(ModelViewSet.index_view_class):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("enquiry")


class QuoteViewSet(ModelViewSet):
    model = Quote
    menu_label = _("Group quotes")
    icon = "doc-full"
    add_to_admin_menu = True
    menu_order = 431
    list_display = ["__str__", Column("enquiry", label=_("Enquiry")), "status", "valid_until", "sent_at"]
    list_filter = ["status"]
    index_view_class = QuoteIndexView
    add_view_class = QuoteCreateView
    edit_view_class = QuoteEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    panels = [
        FieldPanel("enquiry"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("valid_until"), FieldPanel("deposit_percent"), FieldPanel("hold_hours")]
                ),
                FieldPanel("status"),
                FieldPanel("note"),
            ],
            heading=_("Terms"),
        ),
        InlinePanel("lines", label=_("Lines"), min_num=1),
        RosterPanel(heading=_("Roster")),
    ]
