"""Reviews in the Wagtail admin: the moderation queue (pending first, reported ones marked), each
review's page shows what the guest wrote and takes staff's decision, publish or reject
(``admin_forms``, ``services``). Reviews come from guests only, so nobody adds one here."""

import django_filters
from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from accounts.roles import HOSTS, user_in_group
from town.permissions import refuse_adding

from . import photos as review_photos
from . import selectors, services
from .admin_forms import Decision, ReviewModerationForm
from .models import Review, ReviewStatus

refuse_adding(Review)


class ReviewFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ReviewStatus.choices, widget=forms.RadioSelect, empty_label=_("All")
    )
    reported = django_filters.BooleanFilter(
        label=_("Reported as abusive"), field_name="reported_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Review
        fields = []


class ReviewIndexView(ModelViewSet.index_view_class):
    default_ordering = None

    def get_base_queryset(self):
        # The queue first: pending reviews, oldest waiting at the top of them.
        waiting = Case(
            When(status=ReviewStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return (
            super().get_base_queryset().select_related("order_line", "author").order_by(waiting, "created_at")
        )


class ReviewEditView(ModelViewSet.edit_view_class):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["review"] = self.object
        context["photos"] = (
            selectors.with_photos([self.object])[0].photos.all() if self.object.photo_count else []
        )
        return context

    def save_instance(self):
        decision, user = self.form.cleaned_data["decision"], self.request.user
        if decision == Decision.PUBLISH:
            return services.publish_review(self.object, by=user)
        return services.reject_review(self.object, by=user)


class ReviewViewSet(ModelViewSet):
    model = Review
    menu_label = _("Reviews")
    icon = "pick"
    add_to_admin_menu = True
    menu_order = 430
    list_display = [
        "__str__",
        Column("author", label=_("Author")),
        "status",
        "reported_at",
        "created_at",
    ]
    filterset_class = ReviewFilterSet
    search_fields = ["text", "reply"]
    list_export = ["rating", "subject_name", "status", "created_at", "published_at", "text", "reply"]
    export_filename = "reviews"
    index_view_class = ReviewIndexView
    edit_view_class = ReviewEditView
    edit_template_name = "reviews/admin/edit.html"
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return ReviewModerationForm


@hooks.register("register_admin_viewset")
def register_review_viewset():
    return ReviewViewSet("reviews", url_prefix="reviews")


class HostReviewsMenuItem(MenuItem):
    """Hosts answer their guests' reviews on the site's own page (they cannot moderate)."""

    def is_shown(self, request):
        return user_in_group(request.user, HOSTS)


@hooks.register("register_admin_menu_item")
def register_host_reviews_menu_item():
    from django.urls import reverse

    return HostReviewsMenuItem(
        _("Reviews of my homestay"), reverse("reviews_for_me"), icon_name="pick", order=440
    )


@hooks.register("construct_image_chooser_queryset")
def hide_review_photos(images, request):
    """Guests' review photos are never material for pages, and an unpublished one is seen by the
    moderators only: no image chooser (hosts may choose images) offers them."""
    return images.exclude(collection__name=review_photos.COLLECTION_NAME)
