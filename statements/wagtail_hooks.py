"""Statements and payouts in the admin: commission rates and payouts as snippets (their model
permissions decide who may set and record them), the statements of every seller for staff who may
view payouts, and "My statement" for a homestay host (their own only)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import services
from .admin_views import SellerStatementExportView, SellerStatementView, StatementIndexView, may_read_all
from .forms import SellerChoiceForm
from .models import CommissionRate, Payout


class CommissionRateViewSet(SnippetViewSet):
    model = CommissionRate
    icon = "percent"
    menu_label = _("Commission rates")
    list_display = ["kind", "seller", "rate_bp", "note", "updated_at"]
    list_filter = ["kind"]
    edit_handler = ObjectList(CommissionRate.panels, base_form_class=SellerChoiceForm)


class PayoutViewSet(SnippetViewSet):
    model = Payout
    icon = "doc-full"
    menu_label = _("Payouts")
    list_display = ["paid_on", "seller", "amount", "method", "reference", "recorded_by"]
    list_filter = ["method", "paid_on"]
    ordering = ["-paid_on", "-pk"]
    edit_handler = ObjectList(Payout.panels, base_form_class=SellerChoiceForm)


class StatementsGroup(SnippetViewSetGroup):
    items = (PayoutViewSet, CommissionRateViewSet)
    menu_icon = "doc-full"
    menu_label = _("Payouts")
    menu_name = "payouts"


register_snippet(StatementsGroup)


@hooks.register("after_create_snippet")
def keep_who_recorded(request, instance):
    if isinstance(instance, Payout) and instance.recorded_by_id is None:
        Payout.objects.filter(pk=instance.pk).update(recorded_by=request.user)


@hooks.register("register_admin_urls")
def register_statement_urls():
    return [
        path("statements/", StatementIndexView.as_view(), name="statements_index"),
        path("statements/<int:seller_id>/", SellerStatementView.as_view(), name="statements_seller"),
        path(
            "statements/<int:seller_id>/export.<str:fmt>",
            SellerStatementExportView.as_view(),
            name="statements_seller_export",
        ),
        path("my-statement/", SellerStatementView.as_view(mine=True), name="statements_mine"),
        path(
            "my-statement/export.<str:fmt>",
            SellerStatementExportView.as_view(mine=True),
            name="statements_mine_export",
        ),
    ]


class StatementsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_read_all(request.user)


class MyStatementMenuItem(MenuItem):
    def is_shown(self, request):
        # Staff read every statement from "Statements"; a host reads their own here.
        return not may_read_all(request.user) and services.may_have_statement(request.user)


@hooks.register("register_admin_menu_item")
def register_statements_menu_item():
    return StatementsMenuItem(
        _("Statements"), reverse("statements_index"), name="statements", icon_name="doc-full", order=990
    )


@hooks.register("register_admin_menu_item")
def register_my_statement_menu_item():
    return MyStatementMenuItem(
        _("My statement"), reverse("statements_mine"), name="my-statement", icon_name="doc-full", order=300
    )
