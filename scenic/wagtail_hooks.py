"""The scenic area's snippets in the admin, under one "Scenic area" menu."""

from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet, SnippetViewSetGroup

from .models import CarPark, Facility, Notice, ParkingCounter
from .parking import issue_counter_token


class CarParkCreateView(CreateView):
    """A new car park starts with every space free (not "full") until it is first counted."""

    def save_instance(self):
        self.form.instance.free_spaces = self.form.instance.total_spaces
        return super().save_instance()


class CarParkViewSet(SnippetViewSet):
    model = CarPark
    add_view_class = CarParkCreateView
    icon = "site"
    menu_label = gettext_lazy("Car parks")
    list_display = ["name", "village", "free_spaces", "total_spaces", "counted_at"]
    search_fields = ["name", "name_en"]


class CounterCreateView(CreateView):
    """Issues the counter's token on creation and shows it once, in the success message."""

    def save_instance(self):
        self.raw_token = issue_counter_token(self.form.instance)
        return super().save_instance()

    def get_success_message(self, instance):
        return format_html(
            "{} <code>{}</code>",
            _("Counter “%(name)s” created. Its token, shown only now (copy it into the counter system):")
            % {"name": instance.name},
            self.raw_token,
        )


class ParkingCounterViewSet(SnippetViewSet):
    model = ParkingCounter
    icon = "key"
    menu_label = gettext_lazy("Parking counters")
    add_view_class = CounterCreateView
    list_display = ["name", "token_hint", "active", "last_used_at"]


class FacilityViewSet(SnippetViewSet):
    model = Facility
    icon = "pick"
    menu_label = gettext_lazy("Facilities")
    list_display = ["name", "kind", "accessible", "village", "opening_hours"]
    list_filter = ["kind", "accessible"]
    search_fields = ["name", "name_en"]


class NoticeViewSet(SnippetViewSet):
    model = Notice
    icon = "warning"
    menu_label = gettext_lazy("Notices and closures")
    list_display = ["title", "kind", "level", "starts_at", "ends_at"]
    list_filter = ["kind", "level"]


class ScenicGroup(SnippetViewSetGroup):
    items = (NoticeViewSet, CarParkViewSet, FacilityViewSet, ParkingCounterViewSet)
    menu_icon = "site"
    menu_label = gettext_lazy("Scenic area")
    menu_name = "scenic"
    menu_order = 220


register_snippet(ScenicGroup)
