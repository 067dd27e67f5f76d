"""The admin: spots' entry rules and crowding figures as snippets (group "Timed entry"). Saving a
rule makes its windows for the coming days at once (the daily command keeps them ahead)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import EntryRule, SpotCrowd
from .schedules import generate_windows


class EntryRuleViewSet(SnippetViewSet):
    model = EntryRule
    icon = "date"
    menu_label = _("Entry rules")
    list_display = ["spot", "active", "real_name", "price_fen", "per_window", "per_day"]
    list_filter = ["active", "real_name"]

    def get_queryset(self, request):
        return EntryRule.objects.select_related("spot")


class SpotCrowdViewSet(SnippetViewSet):
    model = SpotCrowd
    icon = "group"
    menu_label = _("Crowding")
    list_display = ["spot", "people", "comfortable", "maximum", "updated_at"]

    def get_queryset(self, request):
        return SpotCrowd.objects.select_related("spot")


class TimedEntryGroup(SnippetViewSetGroup):
    items = (EntryRuleViewSet, SpotCrowdViewSet)
    menu_icon = "date"
    menu_label = _("Timed entry")
    menu_name = "timed_entry"
    menu_order = 216


register_snippet(TimedEntryGroup)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def _windows_after_save(request, instance):
    if isinstance(instance, EntryRule) and instance.active:
        generate_windows(instance)
