"""Wagtail admin for calendar sync: hosts add their other platforms' calendars (a viewset scoped
to their own room types) and copy their rooms' export addresses (a small view).

Imported by ``homestays.wagtail_hooks`` (Wagtail only discovers modules of that name).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Locale
from wagtail.permissions import register_permission_policy

from . import selectors
from .admin_scopes import HostScopedViewSet, RateRulePermissionPolicy
from .admin_views import can_see_bookings
from .models import ExternalCalendar, RoomType
from .tasks import sync_calendar


def _queue_sync(calendar_pk):
    # After commit: the worker (or the immediate backend) must see the saved address.
    transaction.on_commit(lambda: sync_calendar.enqueue(calendar_pk))


class ExternalCalendarViewSet(HostScopedViewSet):
    model = ExternalCalendar
    icon = "calendar-alt"
    menu_label = _("Calendar sync")
    add_to_admin_menu = True
    menu_order = 255
    list_display = ["room_type", "name", "url", "last_synced_at", "last_event_count", "last_error"]

    def after_save(self, instance):
        # A new or changed address is fetched at once, so the host sees the result (or error).
        _queue_sync(instance.pk)


register_permission_policy(ExternalCalendar, RateRulePermissionPolicy(ExternalCalendar))
external_calendar_viewset = ExternalCalendarViewSet("external_calendars")


@hooks.register("register_admin_viewset")
def register_external_calendar_viewset():
    return external_calendar_viewset


def calendar_exports(request):
    """The export address of each room type the user manages, to paste into other platforms."""
    if not can_see_bookings(request.user):
        raise PermissionDenied
    room_types = list(
        RoomType.objects.filter(
            page__in=selectors.manageable_homestays(request.user), locale=Locale.get_default()
        )
        .select_related("page")
        .order_by("page__title", "sort_order", "pk")
    )
    for room_type in room_types:
        room_type.export_url = request.build_absolute_uri(
            reverse("homestays_room_type_ical", args=[room_type.ical_token])
        )
    return render(
        request,
        "homestays/admin/calendar_exports.html",
        {"page_title": _("Calendar export addresses"), "room_types": room_types},
    )


@hooks.register("register_admin_urls")
def register_calendar_export_urls():
    return [path("homestays/calendar-exports/", calendar_exports, name="homestays_calendar_exports")]


class CalendarExportsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_bookings(request.user)


@hooks.register("register_admin_menu_item")
def register_calendar_exports_menu_item():
    return CalendarExportsMenuItem(
        _("Calendar export"), reverse("homestays_calendar_exports"), icon_name="link", order=256
    )
