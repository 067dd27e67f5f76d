"""Wagtail admin for homestays: host access on save, hosts' rates and closures, hosts' bookings."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from orders.organiser_cancel_views import register_page_call_off

# calendar_hooks registers the calendar sync admin's own hooks when Wagtail loads this module.
from . import admin_views, calendar_hooks  # noqa: F401
from .admin_scopes import HostScopedViewSet, RateRulePermissionPolicy
from .call_off_views import HomestayCallOffView, may_call_off
from .closure_admin import HeldClosureDeleteMixin, HeldClosureEditMixin, HeldClosureIndexMixin
from .models import HomestayIndexPage, HomestayPage, RoomRateRule
from .services import ensure_review_workflow, grant_host_access


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def sync_host_access(request, page):
    page = page.specific
    if isinstance(page, HomestayPage):
        # The stored row, not the submitted draft: on a live page a host change in a draft (which
        # a host could write) takes effect only when the reviewed revision is published.
        grant_host_access(HomestayPage.objects.get(pk=page.pk))
    elif isinstance(page, HomestayIndexPage):
        ensure_review_workflow(page)


class RateRuleViewSet(HostScopedViewSet):
    model = RoomRateRule
    icon = "date"
    menu_label = _("Rates and closures")
    add_to_admin_menu = True
    menu_order = 250
    list_display = ["room_type", "kind", "start_date", "end_date", "price_fen", "min_nights", "shown_note"]
    list_filter = ["kind"]

    # A call-off's closures: read-only for hosts, reopened by staff (closure_admin).
    @property
    def index_view_class(self):
        return type("IndexView", (HeldClosureIndexMixin, super().index_view_class), {})

    @property
    def edit_view_class(self):
        return type("EditView", (HeldClosureEditMixin, super().edit_view_class), {})

    @property
    def delete_view_class(self):
        return type("DeleteView", (HeldClosureDeleteMixin, super().delete_view_class), {})


register_permission_policy(RoomRateRule, RateRulePermissionPolicy(RoomRateRule))
rate_rule_viewset = RateRuleViewSet("rate_rules")


@hooks.register("register_admin_viewset")
def register_rate_rule_viewset():
    return rate_rule_viewset


@hooks.register("register_admin_urls")
def register_booking_urls():
    return [path("homestays/bookings/", admin_views.bookings, name="homestays_bookings")]


class BookingsMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_see_bookings(request.user)


@hooks.register("register_admin_menu_item")
def register_bookings_menu_item():
    return BookingsMenuItem(
        _("Homestay bookings"), reverse("homestays_bookings"), icon_name="home", order=240
    )


# --- staff close a homestay's nights and refund what was sold on them --------------------------


@hooks.register("register_admin_urls")
def register_call_off_url():
    return [path("homestays/close/<int:pk>/", HomestayCallOffView.as_view(), name="homestays_call_off")]


register_page_call_off(HomestayPage, "homestays_call_off", _("Close nights and refund"), may_call_off)
