"""Wagtail admin: a read-only list of reservations for staff.

Reservations change only through orders.reservations (reserve, confirm, cancel), never by hand in a
form, so the viewset offers the list and the inspect page and refuses add, edit and delete.
"""

import django_filters
from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import BooleanRadioSelect
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from accounts.privacy import shown_phone
from town.models import Village

from . import admin_views, reconciliation_admin, waitlist_admin
from .models import Order, OrderStatus, Reservation, ReservationKind


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)


register_permission_policy(Reservation, ReadOnlyPermissionPolicy(Reservation), exact_class=True)


class ReservationViewSet(ModelViewSet):
    model = Reservation
    menu_label = _("Reservations")
    icon = "date"
    add_to_admin_menu = True
    menu_order = 400
    list_display = [
        "inventory_key",
        "kind",
        "start_date",
        "end_date",
        "quantity",
        "status",
        "hold_expires_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["inventory_key"]
    inspect_view_enabled = True
    copy_view_enabled = False
    # The edit view is never reachable (the policy refuses "change"); Wagtail still wants a form.
    form_fields = ["status"]


@hooks.register("register_admin_viewset")
def register_reservation_viewset():
    return ReservationViewSet("reservations")


# --- orders (checkout helper H): list with filters and CSV export; changes on the manage page ---

register_permission_policy(Order, ReadOnlyPermissionPolicy(Order), exact_class=True)


class OrderFilterSet(WagtailFilterSet):
    """Status, date, village and kind. A line filter keeps each order once (``distinct``)."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=OrderStatus.choices, widget=forms.RadioSelect, empty_label=_("All")
    )
    created_at = django_filters.DateFromToRangeFilter(label=_("Placed"), widget=DateRangePickerWidget)
    lines__village = django_filters.ModelChoiceFilter(
        label=_("Village"), queryset=lambda request: Village.objects.in_locale(), method="filter_village"
    )
    lines__kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        choices=ReservationKind.choices,
        widget=forms.RadioSelect,
        empty_label=_("All"),
        distinct=True,
    )
    needs_attention = django_filters.BooleanFilter(label=_("Needs attention"), widget=BooleanRadioSelect)

    class Meta:
        model = Order
        fields = []

    def filter_village(self, queryset, name, village):
        # The village in any language: a line may point at a translation of the chosen one.
        if not village:
            return queryset
        return queryset.filter(lines__village__translation_key=village.translation_key).distinct()


class OrderIndexView(ModelViewSet.index_view_class):
    def to_row_dict(self, item):
        # The export masks the visitor's number unless the user may see it in full (PIPL).
        row = super().to_row_dict(item)
        row["contact_phone"] = shown_phone(item.contact_phone, self.request.user)
        return row


class OrderInspectView(ModelViewSet.inspect_view_class):
    def get_contact_phone_display_value(self):
        return shown_phone(self.object.contact_phone, self.request.user)


class OrderViewSet(ModelViewSet):
    model = Order
    menu_label = _("Orders")
    icon = "doc-full"
    add_to_admin_menu = True
    menu_order = 390
    list_display = [
        TitleColumn(
            "reference",
            label=_("Reference"),
            get_url=lambda order: reverse("orders_admin_manage", args=[order.pk]),
        ),
        "user",
        "status",
        Column("total_fen", label=_("Total (fen)")),
        "needs_attention",
        "created_at",
    ]
    filterset_class = OrderFilterSet
    list_export = [
        "reference",
        "user",
        "status",
        "total_fen",
        "currency",
        "contact_name",
        "contact_phone",
        "needs_attention",
        "created_at",
    ]
    export_filename = "orders"
    index_view_class = OrderIndexView
    inspect_view_class = OrderInspectView
    search_fields = ["reference", "contact_name", "contact_phone"]
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["status"]


@hooks.register("register_admin_viewset")
def register_order_viewset():
    return OrderViewSet("orders")


@hooks.register("register_admin_urls")
def register_order_manage_urls():
    return [
        path("orders/manage/<int:pk>/", admin_views.order_manage, name="orders_admin_manage"),
        path("orders/manage/<int:pk>/receipt.pdf", admin_views.order_receipt, name="orders_admin_receipt"),
    ]


@hooks.register("register_admin_urls")
def register_waitlist_urls():
    return [
        path("orders/waitlist/", waitlist_admin.waitlist_index, name="orders_admin_waitlist"),
        path(
            "orders/waitlist/<int:pk>/offer/",
            waitlist_admin.waitlist_offer,
            name="orders_admin_waitlist_offer",
        ),
        path(
            "orders/waitlist/<int:pk>/remove/",
            waitlist_admin.waitlist_remove,
            name="orders_admin_waitlist_remove",
        ),
    ]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_manage_orders(request.user)


@hooks.register("register_admin_menu_item")
def register_waitlist_menu_item():
    return StaffMenuItem(_("Waiting list"), reverse("orders_admin_waitlist"), icon_name="list-ul", order=410)


@hooks.register("register_admin_urls")
def register_reconciliation_urls():
    return [
        path(
            "orders/reconciliation/",
            reconciliation_admin.reconciliation_index,
            name="orders_admin_reconciliation",
        ),
        path(
            "orders/reconciliation/<int:pk>/resolve/",
            reconciliation_admin.reconciliation_resolve,
            name="orders_admin_reconciliation_resolve",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_reconciliation_menu_item():
    return StaffMenuItem(
        _("Reconciliation"), reverse("orders_admin_reconciliation"), icon_name="table", order=405
    )
