"""Statements in the Wagtail admin: every seller's for staff, and a host's own ("My statement").

Staff need the payout "view" permission; a host sees only their own statement, whatever they ask
for. The figures come from ``statements.services``; these views only choose whose and which month.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permission_policies import ModelPermissionPolicy

from accounts.models import User
from town.sites import site_identity

from . import exports, services
from .models import Payout

permission_policy = ModelPermissionPolicy(Payout)


def may_read_all(user) -> bool:
    return permission_policy.user_has_permission(user, "view")


class MonthMixin:
    """The month asked for (``?month=YYYY-MM``; a bad one is this month, said in ``month_error``)."""

    @cached_property
    def today(self):
        return timezone.localdate()

    @cached_property
    def month_error(self):
        try:
            services.parse_month(self.request.GET.get("month"), today=self.today)
        except services.StatementInvalid as exc:
            return exc.errors["month"]
        return ""

    @cached_property
    def period(self):
        if self.month_error:
            return services.month_period(self.today)
        return services.parse_month(self.request.GET.get("month"), today=self.today)

    def months(self):
        previous = (self.period.first - datetime.timedelta(days=1)).replace(day=1)
        following = self.period.end if self.period.end <= self.today.replace(day=1) else None
        return previous, following

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        previous, following = self.months()
        context.update(
            period=self.period,
            month=self.period.first,
            previous=previous,
            following=following,
            month_error=self.month_error,
        )
        return context


class StatementIndexView(MonthMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every seller's month in one table, with their balance; a fixed number of queries."""

    template_name = "statements/admin/index.html"
    page_title = _("Statements")
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not may_read_all(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        found = services.statements(services.sellers(), self.period)
        context["statements"] = sorted(found.values(), key=lambda s: (-s.totals.balance_fen, s.seller_name))
        context["owed_fen"] = sum(s.totals.balance_fen for s in found.values())
        return context


class SellerStatementView(MonthMixin, WagtailAdminTemplateMixin, TemplateView):
    """One seller's statement: staff for anyone, a host for themselves (``mine``)."""

    template_name = "statements/admin/statement.html"
    header_icon = "doc-full"
    mine = False

    @cached_property
    def seller(self):
        if self.mine:
            return self.request.user
        return get_object_or_404(User, pk=self.kwargs["seller_id"])

    def dispatch(self, request, *args, **kwargs):
        if self.mine:
            if not services.may_have_statement(request.user):
                raise PermissionDenied
        elif not may_read_all(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("My statement") if self.mine else _("Statement")

    def get_breadcrumbs_items(self):
        if self.mine:
            return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]
        return [
            *self.breadcrumbs_items,
            {"url": reverse("statements_index"), "label": _("Statements")},
            {"url": "", "label": services.seller_names([self.seller.pk]).get(self.seller.pk, "")},
        ]

    def export_url(self, fmt):
        if self.mine:
            return reverse("statements_mine_export", args=[fmt])
        return reverse("statements_seller_export", args=[self.seller.pk, fmt])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statement = services.statement(self.seller, self.period)
        context.update(
            statement=statement,
            page_subtitle=statement.seller_name,
            mine=self.mine,
            exports={fmt: self.export_url(fmt) for fmt in exports.FORMATS},
            index_url=None if self.mine else reverse("statements_index"),
            payouts_url=None if self.mine else reverse("wagtailsnippets_statements_payout:add"),
        )
        return context


class SellerStatementExportView(SellerStatementView):
    def get(self, request, *args, **kwargs):
        fmt = kwargs["fmt"]
        if fmt not in exports.FORMATS:
            raise Http404
        statement = services.statement(self.seller, self.period)
        return exports.response(statement, fmt, site_name=site_identity(request).name)
