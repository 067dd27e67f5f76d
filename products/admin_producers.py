"""Wagtail admin for producer applications: staff list them, then verify or reject each one.

The decision goes through ``products.producers`` (which gives or takes the Farmers role and
e-mails the farmer), so the status is not a field of the edit form: the listing's "Review"
action is the only way to change it.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import ListingButton

from accounts.privacy import shown_phone

from . import producers
from .models import Producer, ProducerStatus

STATUS_ORDER = {ProducerStatus.APPLIED: 0, ProducerStatus.REJECTED: 1, ProducerStatus.VERIFIED: 2}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("verify", _("Verify: they may sell")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Message to the farmer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to the farmer and sent by e-mail. Required when rejecting."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Please tell the farmer why."))
        return cleaned


class ApplicationIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "village")

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if self.user_has_permission("change"):
            buttons.insert(
                0,
                ListingButton(
                    _("Review"),
                    url=reverse("products_producer_review", args=[instance.pk]),
                    icon_name="tasks",
                    priority=5,
                ),
            )
        return buttons


class ReviewView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """One application: the profile as the farmer gave it, and the staff decision."""

    model = Producer
    permission_required = "change"
    form_class = DecisionForm
    template_name = "products/dashboard/admin_producer_review.html"
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        self.producer = get_object_or_404(
            Producer.objects.select_related("user", "village", "photo"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return gettext("Review producer")

    def get_page_subtitle(self):
        return self.producer.display_name

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": gettext("Home")},
            {"url": reverse("products_producer_applications:index"), "label": gettext("Producers")},
            {"url": "", "label": self.producer.display_name},
        ]

    def get_initial(self):
        return {"note": self.producer.status_note}

    def get_context_data(self, **kwargs):
        return super().get_context_data(producer=self.producer, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)

    def form_valid(self, form):
        note = form.cleaned_data["note"]
        try:
            if form.cleaned_data["decision"] == "verify":
                producers.verify(self.producer, by=self.request.user, note=note)
                messages.success(
                    self.request, gettext("%(name)s is verified and may sell.") % {"name": self.producer}
                )
            else:
                producers.reject(self.producer, by=self.request.user, note=note)
                messages.success(
                    self.request,
                    gettext("%(name)s was told the application is rejected.") % {"name": self.producer},
                )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("note", message)
            return self.form_invalid(form)
        return redirect("products_producer_applications:index")


class ProducerInspectView(ModelViewSet.inspect_view_class):
    def get_phone_display_value(self):
        return shown_phone(self.object.phone, self.request.user)


class ProducerApplicationViewSet(ModelViewSet):
    model = Producer
    icon = "group"
    menu_label = _("Producers")
    add_to_admin_menu = True
    menu_order = 320
    index_view_class = ApplicationIndexView
    list_display = [
        "display_name",
        Column("user", label=_("E-mail"), accessor="user"),
        "village",
        Column("status", label=_("Status"), accessor="get_status_display"),
        DateColumn("created_at", label=_("Applied")),
    ]
    list_filter = ["status", "village"]
    search_fields = ["display_name", "phone", "user__email"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = ProducerInspectView
    add_to_reference_index = False
    edit_handler = ObjectList(
        [
            FieldPanel("display_name"),
            FieldPanel("village"),
            FieldPanel("story"),
            FieldPanel("photo"),
            FieldRowPanel([FieldPanel("phone"), FieldPanel("pickup_address")]),
            MultiFieldPanel(
                [FieldPanel("supported_household"), FieldPanel("staff_notes")],
                heading=_("Staff only"),
            ),
        ]
    )

    def get_common_view_kwargs(self, **kwargs):
        # Producers come from the farmers' own applications and are never deleted here
        # (their products and sales point at them).
        return super().get_common_view_kwargs(**{"add_url_name": None, "delete_url_name": None, **kwargs})

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns() if pattern.name not in {"add", "delete"}]


producer_application_viewset = ProducerApplicationViewSet("products_producer_applications")


@hooks.register("register_admin_viewset")
def register_producer_application_viewset():
    return producer_application_viewset


@hooks.register("register_admin_urls")
def register_review_url():
    return [
        path("products/producers/<int:pk>/review/", ReviewView.as_view(), name="products_producer_review")
    ]
