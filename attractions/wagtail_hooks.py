from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import TourSlot, Village


class VillageViewSet(SnippetViewSet):
    model = Village
    icon = "home"
    menu_label = _("Villages")
    add_to_admin_menu = True
    menu_order = 210
    list_display = ["name", "slug", "latitude", "longitude"]
    search_fields = ["name", "description"]
    ordering = ["name"]


register_snippet(VillageViewSet)


class TourSlotViewSet(SnippetViewSet):
    """Staff see every slot with its bookings and may change its capacity or cancel it. Slots are
    made from the experiences' schedules (``attractions.schedules``), not by hand."""

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
        FieldPanel("status"),
    ]

    def get_queryset(self, request):
        return TourSlot.objects.select_related("experience")


register_snippet(TourSlotViewSet)
