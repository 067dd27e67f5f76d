"""Wagtail admin for the farmers' shop: the Product snippets (drafts, revisions, locking and the
"Product moderation" workflow, whose queue is Wagtail's own workflow dashboard), the shipping
rates, and a read-only list of every product order line with filters for staff.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from orders.models import OrderLine, OrderStatus, ReservationKind
from town.models import Village

from .lines import delivery_label
from .models import (
    Batch,
    Certification,
    FulfilmentStatus,
    Producer,
    Product,
    ProductCategory,
    ShippingRate,
)


class ProductFilterSet(WagtailFilterSet):
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=ProductCategory.choices, widget=forms.RadioSelect, empty_label=_("All")
    )
    producer = django_filters.ModelChoiceFilter(label=_("Producer"), queryset=Producer.objects.all())

    class Meta:
        model = Product
        fields = ["live", "locale"]


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "pick"
    menu_label = _("Products")
    list_display = ["name", "producer", "category", Column("price_fen", label=_("Price (fen)")), "stock"]
    list_per_page = 50
    filterset_class = ProductFilterSet
    search_fields = ["name", "description"]
    ordering = ["-created_at"]
    inspect_view_enabled = True

    def get_queryset(self, request):
        return Product.objects.select_related("producer", "locale")


class ShippingRateViewSet(SnippetViewSet):
    model = ShippingRate
    icon = "site"
    menu_label = _("Shipping rates")
    list_display = ["region", Column("fee_fen", label=_("Fee (fen)")), "sort_order"]
    ordering = ["sort_order", "region"]


class BatchViewSet(SnippetViewSet):
    """Every farmer's batches, for staff (farmers add theirs on the dashboard)."""

    model = Batch
    icon = "tag"
    menu_label = _("Batches")
    list_display = ["code", "product", "harvested_on", "village", "plot"]
    list_filter = ["harvested_on"]
    search_fields = ["code", "plot", "product__name"]
    search_backend_name = None
    ordering = ["-harvested_on", "-pk"]


class CertificationViewSet(SnippetViewSet):
    model = Certification
    icon = "success"
    menu_label = _("Certifications")
    list_display = ["kind", "number", "producer", "product", "valid_from", "valid_until"]
    list_filter = ["kind", "valid_until"]
    search_fields = ["number", "issuer", "name"]
    search_backend_name = None
    ordering = ["-valid_until", "pk"]


class ShopViewSetGroup(SnippetViewSetGroup):
    items = (ProductViewSet, ShippingRateViewSet, BatchViewSet, CertificationViewSet)
    menu_icon = "pick"
    menu_label = _("Shop")
    menu_name = "shop"
    menu_order = 220


register_snippet(ShopViewSetGroup)


# --- every product order line, for staff ------------------------------------------------------


class ReadOnlyPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)


# Order lines change only through orders (cancel, refund) and the farmer's dashboard.
register_permission_policy(OrderLine, ReadOnlyPolicy(OrderLine), exact_class=True)


class ProductLineFilterSet(WagtailFilterSet):
    order__status = django_filters.ChoiceFilter(
        label=_("Order status"), choices=OrderStatus.choices, widget=forms.RadioSelect, empty_label=_("All")
    )
    fulfilment = django_filters.ChoiceFilter(
        label=_("Fulfilment"),
        choices=[("none", _("Not packed yet")), *FulfilmentStatus.choices],
        method="filter_fulfilment",
        widget=forms.RadioSelect,
        empty_label=_("All"),
    )
    producer = django_filters.ModelChoiceFilter(
        label=_("Producer"), queryset=Producer.objects.all(), method="filter_producer"
    )
    village = django_filters.ModelChoiceFilter(
        label=_("Village"), queryset=lambda request: Village.objects.in_locale(), method="filter_village"
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=ProductCategory.choices, method="filter_category", empty_label=_("All")
    )
    order__created_at = django_filters.DateFromToRangeFilter(label=_("Ordered"), widget=DateRangePickerWidget)

    class Meta:
        model = OrderLine
        fields = []

    def filter_fulfilment(self, queryset, name, value):
        if value == "none":
            return queryset.filter(fulfilment__isnull=True)
        return queryset.filter(fulfilment__status=value) if value else queryset

    def filter_producer(self, queryset, name, producer):
        return queryset.filter(provider_user_id=producer.user_id) if producer else queryset

    def filter_village(self, queryset, name, village):
        if not village:
            return queryset
        return queryset.filter(village__translation_key=village.translation_key)

    def filter_category(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(object_id__in=Product.objects.filter(category=value).values("pk"))


def _fulfilment(line):
    fulfilment = getattr(line, "fulfilment", None)
    if fulfilment is None:
        return _("Not packed yet")
    text = fulfilment.get_status_display()
    return f"{text} · {fulfilment.tracking_number}" if fulfilment.tracking_number else text


def _delivery(line):
    options = line.options or {}
    parts = [delivery_label(options.get("delivery", ""))]
    parts += [options[key] for key in ("delivery_date", "shipping_region") if options.get(key)]
    return " · ".join(str(p) for p in parts if p)


class ProductLineViewSet(ModelViewSet):
    """Read-only: order lines change through orders (cancel, refund) and the farmer's dashboard."""

    model = OrderLine
    menu_label = _("Product orders")
    icon = "pick"
    add_to_admin_menu = True
    menu_order = 395
    url_prefix = "product-orders"
    list_display = [
        Column("order", label=_("Order"), accessor="order"),
        "title",
        "item_name",
        "quantity",
        Column("total_fen", label=_("Total (fen)")),
        Column("delivery", label=_("Delivery"), accessor=_delivery),
        Column(
            "order_status", label=_("Order status"), accessor=lambda line: line.order.get_status_display()
        ),
        Column("fulfilment", label=_("Fulfilment"), accessor=_fulfilment),
        "village",
        Column("created", label=_("Ordered"), accessor=lambda line: line.order.created_at),
    ]
    list_export = ["order", "title", "item_name", "quantity", "total_fen", "options", "village"]
    export_filename = "product-orders"
    filterset_class = ProductLineFilterSet
    search_fields = ["title", "item_name", "order__reference"]
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["note"]

    def get_queryset(self, request):
        return (
            OrderLine.objects.filter(kind=ReservationKind.PRODUCT)
            .select_related("order", "village", "fulfilment")
            .order_by("-order__created_at", "-pk")
        )


@hooks.register("register_admin_viewset")
def register_product_line_viewset():
    return ProductLineViewSet("product_orders")


from . import admin_producers  # noqa: E402,F401
