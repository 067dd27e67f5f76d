from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Village


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
