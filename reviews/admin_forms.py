"""The staff form on a review's admin page: publish or reject it. Saving runs ``services`` (which
keep the reviewed thing's rating), never a plain ``form.save()``."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import Review, ReviewStatus


class Decision:
    PUBLISH = "publish"
    REJECT = "reject"
    CHOICES = [(PUBLISH, _("Publish it")), (REJECT, _("Reject it"))]


class ReviewModerationForm(WagtailAdminModelForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.CHOICES,
        widget=forms.RadioSelect,
        help_text=_("A published review is shown on the page of what was reviewed and counts in its rating."),
    )

    class Meta:
        model = Review
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.status == ReviewStatus.PUBLISHED:
            self.fields["decision"].initial = Decision.PUBLISH
        elif self.instance.status == ReviewStatus.REJECTED:
            self.fields["decision"].initial = Decision.REJECT
