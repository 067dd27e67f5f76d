"""Staff schedule and approve live sessions in the admin; sales per session as a report.
Pinned products are set through the session's pins page (``live.services.pin_product``), so
their units are always set aside through the reservation core."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import LiveSession
from .reports import sales_per_session


class LiveSessionViewSet(SnippetViewSet):
    model = LiveSession
    icon = "media"
    menu_label = _("Live sessions")
    menu_order = 225
    add_to_admin_menu = True
    list_display = ["title", "producer", "platform", "starts_at", "ends_at", "approved"]
    list_filter = ["approved", "platform"]
    search_fields = ["title"]
    search_backend_name = None
    ordering = ["-starts_at"]
    form_fields = [
        "title",
        "producer",
        "platform",
        "stream_url",
        "replay_url",
        "starts_at",
        "ends_at",
        "description",
        "approved",
    ]

    def get_queryset(self, request):
        return LiveSession.objects.select_related("producer")


register_snippet(LiveSessionViewSet)


def may_read_sales(user):
    return user.is_active and user.has_perm("live.view_livesession")


def sales_report(request):
    if not may_read_sales(request.user):
        raise PermissionDenied
    return render(request, "live/admin/sales.html", {"rows": sales_per_session()})


class SalesMenuItem(MenuItem):
    def is_shown(self, request):
        return may_read_sales(request.user)


@hooks.register("register_admin_urls")
def register_sales_urls():
    return [path("live/sales/", sales_report, name="live_admin_sales")]


@hooks.register("register_reports_menu_item")
def register_sales_menu_item():
    return SalesMenuItem(_("Live session sales"), reverse("live_admin_sales"), icon_name="media", order=900)
