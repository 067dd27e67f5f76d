"""The town reports in the admin's Reports menu, for users allowed to read them."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .call_offs import CallOffDetailView, CallOffIndexView, HandBackView, may_read
from .invoices import InvoiceRequestReportView
from .views import (
    HomestayReportView,
    ProblemReportTimesView,
    ProsperityReportView,
    ShopReportView,
    StudyTourReportView,
    TourEventReportView,
    permission_policy,
)

# (URL path, URL name, view, menu label, icon): each also has a "<name>_results" partial URL.
REPORTS = [
    ("homestays", "reports_homestays", HomestayReportView, _("Homestays"), "home"),
    ("tours-events", "reports_tours_events", TourEventReportView, _("Tours and events"), "date"),
    ("shop", "reports_shop", ShopReportView, _("Shop"), "pick"),
    ("prosperity", "reports_prosperity", ProsperityReportView, _("Common prosperity"), "group"),
    (
        "problem-reports",
        "reports_problem_reports",
        ProblemReportTimesView,
        _("Answers to problem reports"),
        "warning",
    ),
    (
        "study-tours",
        "reports_study_tours",
        StudyTourReportView,
        _("Study tours and groups"),
        "clipboard-list",
    ),
]


class TownReportMenuItem(MenuItem):
    def is_shown(self, request):
        return permission_policy.user_has_permission(request.user, "view")


@hooks.register("register_admin_urls")
def register_report_urls():
    urls = []
    for slug, name, view, _label, _icon in REPORTS:
        urls.append(path(f"town-reports/{slug}/", view.as_view(), name=name))
        urls.append(
            path(f"town-reports/{slug}/results/", view.as_view(results_only=True), name=f"{name}_results")
        )
    return urls


def _menu_item(index):
    _slug, name, _view, label, icon = REPORTS[index]
    return TownReportMenuItem(
        label, reverse(name), name=name.replace("_", "-"), icon_name=icon, order=1000 + index * 10
    )


# The call-off report names visitors and moves money: for those who manage orders.


class CallOffMenuItem(MenuItem):
    def is_shown(self, request):
        return may_read(request.user)


@hooks.register("register_admin_urls")
def register_call_off_urls():
    return [
        path("town-reports/call-offs/", CallOffIndexView.as_view(), name="reports_call_offs"),
        path(
            "town-reports/call-offs/results/",
            CallOffIndexView.as_view(results_only=True),
            name="reports_call_offs_results",
        ),
        path("town-reports/call-offs/<int:pk>/", CallOffDetailView.as_view(), name="reports_call_off"),
        path(
            "town-reports/call-offs/<int:pk>/results/",
            CallOffDetailView.as_view(results_only=True),
            name="reports_call_off_results",
        ),
        path(
            "town-reports/call-offs/<int:pk>/refunds/<int:row_pk>/paid-back/",
            HandBackView.as_view(),
            name="reports_call_off_hand_back",
        ),
    ]


@hooks.register("register_admin_urls")
def register_invoice_urls():
    return [
        path("town-reports/invoices/", InvoiceRequestReportView.as_view(), name="reports_invoices"),
        path(
            "town-reports/invoices/results/",
            InvoiceRequestReportView.as_view(results_only=True),
            name="reports_invoices_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_invoice_menu_item():
    return CallOffMenuItem(
        _("Invoice requests"),
        reverse("reports_invoices"),
        name="reports-invoices",
        icon_name="doc-full",
        order=1095,
    )


@hooks.register("register_reports_menu_item")
def register_call_off_menu_item():
    return CallOffMenuItem(
        _("Call-offs"),
        reverse("reports_call_offs"),
        name="reports-call-offs",
        icon_name="warning",
        order=1090,
    )


for _index in range(len(REPORTS)):
    hooks.register("register_reports_menu_item", lambda index=_index: _menu_item(index))


from . import panels  # noqa: E402,F401  (registers the admin home dashboard panel)
