""" "Rates and closures" in the admin, for the closures staff made when they closed a homestay
(``RoomRateRule.call_off``): hosts see them read-only with the office's reason, and an edit or a
delete is refused with that reason (403, nothing changed); staff who may call off reopen them
with the delete view (``services.reopen_closure``)."""

from django.contrib import messages
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from . import services


class HeldClosureIndexMixin:
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("call_off")

    def get_delete_url(self, instance):
        if instance.held_by_call_off and not services.may_reopen(self.request.user):
            return None
        return super().get_delete_url(instance)


class HeldClosureEditMixin:
    template_name = "homestays/admin/rate_rule_edit.html"

    @cached_property
    def held(self):
        return self.object.held_by_call_off

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.held:
            for field in form.fields.values():
                field.disabled = True  # shown, never taken from the post
        return form

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            services.check_rule_editable(self.object)
        except services.ClosureHeld as exc:
            messages.error(request, exc.message)
            response = self.render_to_response(self.get_context_data())
            response.status_code = 403
            return response
        return super().post(request, *args, **kwargs)

    @cached_property
    def can_delete(self):
        if self.held and not services.may_reopen(self.request.user):
            return False
        return super().can_delete

    @property
    def delete_item_label(self):
        return _("Reopen these nights") if self.held else super().delete_item_label

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["held_note"] = self.object.shown_note if self.held else ""
        return context


class HeldClosureDeleteMixin:
    def dispatch(self, request, *args, **kwargs):
        try:
            services.check_rule_deletable(self.object, request.user)
        except services.ClosureHeld as exc:
            return TemplateResponse(
                request,
                "homestays/admin/closure_held.html",
                {
                    "page_title": _("Closed by the tourism office"),
                    "message": exc.message,
                    "rule": self.object,
                },
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)

    @property
    def confirmation_message(self):
        if self.object.held_by_call_off:
            return _(
                "Reopen these nights for booking? %(note)s. The bookings it cancelled stay cancelled."
            ) % {"note": self.object.shown_note}
        return super().confirmation_message

    def get_success_message(self):
        if self.object.held_by_call_off:
            return _("The nights are open for booking again.")
        return super().get_success_message()

    def delete_action(self):
        if self.object.held_by_call_off:
            services.reopen_closure(self.object, by_user=self.request.user)
        else:
            super().delete_action()
