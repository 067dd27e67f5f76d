from django import forms
from django.utils.translation import gettext_lazy as _

from products.dashboard.forms import PhotoField, PhotoUploadsMixin

from . import photos as review_photos
from .models import MAX_REPLY, MAX_TEXT

RATINGS = [
    (5, _("5 – excellent")),
    (4, _("4 – good")),
    (3, _("3 – fair")),
    (2, _("2 – poor")),
    (1, _("1 – bad")),
]


class ReviewForm(PhotoUploadsMixin, forms.Form):
    """The guest's review; its photos go through the shop's checks (``PhotoUploadsMixin``).
    ``uploader``: the guest, whose hourly photo budget the photos count against."""

    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Give a rating from 1 to 5 stars."),
            "invalid_choice": _("Give a rating from 1 to 5 stars."),
        },
    )
    text = forms.CharField(
        label=_("Your review"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What was good, what could be better. Staff read it before it is published."),
    )
    photos = PhotoField(label=_("Photos"), camera=False, too_many=review_photos.TOO_MANY)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The setting is read per form, and the help text translated per request, not at import.
        limit = review_photos.max_photos()
        self.fields["photos"].max_photos = limit
        self.fields["photos"].help_text = _(
            "Up to %(n)d photos: JPEG, PNG or WebP. They are shown with your review once it is published."
        ) % {"n": limit}

    def clean(self):
        cleaned = super().clean()
        self.clean_photo_uploads()
        return cleaned


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_REPLY,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown under the review for everyone. You can reply once."),
    )
