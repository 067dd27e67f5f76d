from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, IndexView, SnippetViewSet

from orders.admin_views import can_manage_orders
from orders.models import ReservationKind
from orders.organiser_cancel_views import CallOffTarget, OrganiserCancelView

from .models import TourSlot, TourSlotStatus


def may_call_off_slots(user) -> bool:
    return user.has_perm("attractions.change_tourslot") and can_manage_orders(user)


class TourSlotCallOffView(OrganiserCancelView):
    """Staff cancel a departure: its orders are cancelled and refunded, its visitors told
    (``orders.organiser_cancel``), after a page that shows how many and how much."""

    def get_target(self):
        slot = get_object_or_404(TourSlot.objects.select_related("experience"), pk=self.kwargs["pk"])
        starts = timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M")
        return CallOffTarget(
            kind=ReservationKind.TOUR,
            object_ids=[slot.pk],
            title=f"{slot.experience.title} · {starts}",
            what=_("tour slot"),
            back_url=reverse("wagtailsnippets_attractions_tourslot:list"),
            back_label=_("Tour slots"),
            called_off=slot.status == TourSlotStatus.CANCELLED,
        )

    def has_permission(self, user, target):
        return may_call_off_slots(user)


def call_off_button(slot, user, **kwargs):
    if not may_call_off_slots(user):
        return None
    url = reverse("wagtailsnippets_attractions_tourslot:call_off", args=[slot.pk])
    label = _("Cancel and refund") if slot.status == TourSlotStatus.OPEN else _("Cancelled: check its orders")
    return Button(label, url=url, icon_name="warning", **kwargs)


class TourSlotIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        button = call_off_button(instance, self.request.user, priority=25)
        return [*buttons, button] if button else buttons


class TourSlotEditView(EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        button = call_off_button(self.object, self.request.user, priority=15)
        return [*buttons, button] if button else buttons


class TourSlotViewSet(SnippetViewSet):
    """Staff see every slot with its bookings and may change its capacity. Cancelling one goes
    through its own page ("Cancel and refund"), which cancels and refunds what was sold on it;
    its status is never edited by hand. Slots are made from the experiences' schedules
    (``attractions.schedules``); staff may add extra ones by hand."""

    model = TourSlot
    icon = "date"
    menu_label = _("Tour slots")
    add_to_admin_menu = True
    menu_order = 215
    list_display = ["experience", "starts_at", "ends_at", "capacity", "status"]
    list_filter = ["status"]
    ordering = ["starts_at"]
    list_per_page = 50
    panels = [
        FieldPanel("starts_at", read_only=True),
        FieldPanel("ends_at", read_only=True),
        FieldPanel("capacity"),
        FieldPanel("status", read_only=True),
    ]
    # Adding a slot by hand (an extra departure): which experience and when; it is "by hand",
    # so regenerating the schedule keeps it. Once made, only its capacity changes here.
    add_panels = [
        FieldPanel("experience"),
        FieldPanel("starts_at"),
        FieldPanel("ends_at"),
        FieldPanel("capacity"),
    ]
    index_view_class = TourSlotIndexView
    edit_view_class = TourSlotEditView

    def get_add_view_kwargs(self, **kwargs):
        panel = ObjectList(self.add_panels).bind_to_model(self.model)
        return super().get_add_view_kwargs(panel=panel, form_class=panel.get_form_class(), **kwargs)

    def get_queryset(self, request):
        return TourSlot.objects.select_related("experience")

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("cancel/<int:pk>/", TourSlotCallOffView.as_view(), name="call_off"),
        ]


register_snippet(TourSlotViewSet)
