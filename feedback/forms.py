"""The visitor's problem report form. Photos go through the shop's own checks
(``products.dashboard.forms.PhotoField`` and ``PhotoUploadsMixin``: header, pixels per photo and per
request, then a full decode) before anything is stored."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from accounts.phones import PhoneNumberField
from attractions.models import AttractionPage
from products.dashboard.forms import PhotoField, PhotoUploadsMixin
from town import geo
from town.models import Village

from . import services
from .models import MAX_PHOTOS, MAX_TEXT, ProblemCategory


def attraction_choices():
    return (
        AttractionPage.objects.live()
        .public()
        .filter(locale=Locale.get_active())
        .only("pk", "title", "village_id")
        .order_by("title")
    )


class ProblemReportForm(PhotoUploadsMixin, forms.Form):
    """``user``: the signed-in visitor, or None (then a mobile number is required)."""

    category = forms.ChoiceField(
        label=_("What kind of problem?"),
        choices=ProblemCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose the kind of problem.")},
    )
    text = forms.CharField(
        label=_("What happened?"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Please tell us what happened.")},
    )
    photos = PhotoField(
        label=_("Photos"),
        camera=False,
        max_photos=MAX_PHOTOS,
        too_many=_("You can send at most %(n)d photos."),
    )
    attraction = forms.ModelChoiceField(
        label=_("Scenic spot"), queryset=AttractionPage.objects.none(), required=False, empty_label=_("—")
    )
    village = forms.ModelChoiceField(
        label=_("Village"), queryset=Village.objects.none(), required=False, empty_label=_("—")
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        validators=[geo.validate_latitude],
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        validators=[geo.validate_longitude],
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    phone = PhoneNumberField(
        required=False,
        help_text=_("So that we can text you when we reply. We show it to no one else."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, uploader=user, **kwargs)
        # Formatted here, in the request's language: ``_(...) % {...}`` in the class body runs at
        # import, in whatever language was active then (Chinese), and stays so for every visitor.
        self.fields["text"].help_text = _(
            "Where exactly, when, and what you saw. At most %(n)d characters."
        ) % {"n": MAX_TEXT}
        self.fields["photos"].help_text = _("Up to %(n)d photos: JPEG, PNG or WebP.") % {"n": MAX_PHOTOS}
        self.user = user if getattr(user, "is_authenticated", False) else None
        self.fields["attraction"].queryset = attraction_choices()
        self.fields["village"].queryset = Village.objects.in_locale(Locale.get_active())
        if self.user is None:
            self.fields["phone"].required = True
            self.fields["phone"].error_messages["required"] = _(
                "Please give your mobile number, or log in, so that we can reply."
            )
        else:
            self.fields["phone"].help_text = _(
                "Optional: we reply by the ways you chose on your account page."
            )

    def clean(self):
        cleaned = super().clean()
        lat, lng = cleaned.get("latitude"), cleaned.get("longitude")
        if (
            (lat is None) != (lng is None)
            and not self.has_error("latitude")
            and not self.has_error("longitude")
        ):
            self.add_error(
                "longitude" if lng is None else "latitude", _("Give both latitude and longitude, or neither.")
            )
        if not (cleaned.get("attraction") or cleaned.get("village") or lat is not None) and not any(
            self.has_error(name) for name in ("attraction", "village", "latitude", "longitude")
        ):
            self.add_error(
                None,
                ValidationError(
                    _("Tell us where: choose the scenic spot or village, or use your location."),
                    code="place_required",
                ),
            )
        self.clean_photo_uploads()
        return cleaned

    def submit(self, *, user, language):
        """File the valid form's report (services.submit_report): the page and the API alike."""
        data = self.cleaned_data
        return services.submit_report(
            category=data["category"],
            text=data["text"],
            photos=data["photos"],
            user=user,
            phone=data["phone"] or "",
            attraction=data["attraction"],
            village=data["village"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            language=language,
        )
