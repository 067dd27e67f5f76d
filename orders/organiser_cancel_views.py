"""The organiser's cancellation in the Wagtail admin: a page that shows what calling off will touch
(orders, visitors, places, the money per payment provider) and, once staff confirm, does it
through ``orders.organiser_cancel``.

The view knows nothing of tours, events or homestays: an app subclasses ``OrganiserCancelView``,
says what is called off (``get_target``) and who may do it (``has_permission``), and registers the
URL in its ``wagtail_hooks``. Calling off moves money, so it also needs the right to manage orders.
A target may first need choosing (a homestay's room types and nights): it then carries the
``pick_form`` (sent by GET), and is ``ready`` once that form is valid.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button

from . import organiser_cancel
from .admin_views import can_manage_orders
from .money import format_fen
from .order_state import OrderStateError
from .payments import get_provider
from .payments.exceptions import UnknownProvider


@dataclass
class CallOffTarget:
    """What is called off: inventory rows of one kind, named for staff."""

    kind: str
    object_ids: list
    title: str  # what staff read: "草莓采摘 · 2026-12-06 09:00"
    what: str  # "tour slot", "event"
    back_url: str
    back_label: str
    called_off: bool  # closed to new bookings already
    nights: tuple | None = None  # stays: (first night, day after the last night)
    pick_form: forms.Form | None = None  # what to call off, chosen on the page first
    ready: bool = True  # False until the pick form is filled in
    show_lines: bool = False  # list each line affected, with its visitor and price


class OrganiserCancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (sent to every visitor)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For example: heavy rain is forecast and the orchard paths are closed."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand: this cannot be undone."),
        error_messages={"required": gettext_lazy("Please tick the box to confirm.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Please give a reason for cancelling."))
        return reason


class OrganiserCancelView(WagtailAdminTemplateMixin, FormView):
    template_name = "orders/admin/organiser_cancel.html"
    form_class = OrganiserCancelForm
    header_icon = "warning"

    def get_target(self) -> CallOffTarget:
        """What this URL calls off (raise Http404 if there is no such thing)."""
        raise NotImplementedError

    def has_permission(self, user, target) -> bool:
        """The app's own right to cancel the thing (the right to manage orders is checked too)."""
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        self.target = self.get_target()
        if not (can_manage_orders(request.user) and self.has_permission(request.user, self.target)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Cancel %(what)s") % {"what": self.target.what}

    def get_page_subtitle(self):
        return self.target.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.target.back_url, "label": self.target.back_label},
            {"url": "", "label": self.get_page_title(), "sublabel": self.target.title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        target = self.target
        context["target"] = target
        if not target.ready:
            return context
        summary = organiser_cancel.preview(target.kind, target.object_ids, target.nights)
        if target.show_lines:
            context["lines"] = [
                (line, format_fen(line.total_fen, line.order.currency))
                for line in organiser_cancel.preview_lines(target.kind, target.object_ids, target.nights)
            ]
        context.update(
            {
                "summary": summary,
                "refunds": [
                    (_provider_label(name), format_fen(fen, summary.currency), _online(name))
                    for name, fen in sorted(summary.refund_by_provider.items())
                    if fen
                ],
                "refund_total": format_fen(summary.refund_fen, summary.currency),
            }
        )
        return context

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 422
        return response

    def form_valid(self, form):
        target = self.target
        if not target.ready:
            return self.form_invalid(form)
        try:
            result = organiser_cancel.call_off(
                target.kind,
                target.object_ids,
                reason=form.cleaned_data["reason"],
                by_user=self.request.user,
                nights=target.nights,
                title=target.title,
            )
        except OrderStateError as exc:
            form.add_error("reason", exc.message)
            return self.form_invalid(form)
        summary = result.summary
        messages.success(
            self.request,
            _("%(title)s is cancelled: %(orders)s orders cancelled, %(amount)s refunded.")
            % {
                "title": target.title,
                "orders": summary.orders,
                "amount": format_fen(result.refunded_fen, summary.currency),
            },
        )
        if result.failed_fen:
            messages.error(
                self.request,
                _(
                    "%(amount)s could not be refunded through the payment provider: those orders are "
                    "flagged; pay it back by hand and record it on each order."
                )
                % {"amount": format_fen(result.failed_fen, summary.currency)},
            )
        if result.busy:
            messages.warning(
                self.request,
                _(
                    "These orders were busy and are not cancelled yet: %(refs)s. "
                    "Send this page again to finish."
                )
                % {"refs": ", ".join(ref for ref in result.busy if ref)},
            )
            return redirect(self.request.get_full_path())
        return redirect(self.get_done_url(result))

    def get_done_url(self, result) -> str:
        """Where staff go once it is done."""
        return self.target.back_url


def _provider_label(name):
    try:
        return get_provider(name).label
    except UnknownProvider:
        return name


def _online(name):
    try:
        return get_provider(name).online
    except UnknownProvider:
        return False


def register_page_call_off(page_class, url_name, label, may_call_off):
    """Offer the call-off of ``page_class`` pages (an event, a homestay) in the page's header menu
    and in the page listing's "more" menu, to users ``may_call_off(user, page)``."""

    def buttons(page, user, priority):
        if page.specific_class is not page_class or not may_call_off(user, page):
            return []
        url = reverse(url_name, args=[page.pk])
        return [Button(label, url=url, icon_name="warning", priority=priority)]

    hooks.register(
        "register_page_header_buttons", lambda page, user, view_name, next_url=None: buttons(page, user, 58)
    )
    hooks.register(
        "register_page_listing_more_buttons", lambda page, user, next_url=None: buttons(page, user, 45)
    )
