"""Forms of the farmer dashboard: big, labelled fields for a phone; prices typed in yuan and kept
in fen; photos checked with Pillow (``products.uploads``) before anything is stored: each one's
header by its field, then all of a request's photos together, within the request's and the
uploader's hourly pixel limits, before any is decoded."""

from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import RegexValidator
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from orders.money import fen_to_yuan, yuan_to_fen
from town.models import Village

from ..models import MAX_PRICE_FEN, CertificationKind, FulfilmentStatus, ProductCategory, ProductUnit
from ..uploads import HOURLY_LIMIT_CODE, charge_upload, check_request_pixels, decode_photo, read_photo
from .services import MAX_PHOTOS, MAX_STOCK

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 \-]{5,30}$", _("Please give a phone number (digits, spaces, + and - only).")
)


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotoField(forms.FileField):
    """One or several photos; each one's header is checked with Pillow (no pixel decoded) and it
    comes back as a ``CheckedPhoto``. The form decodes them (``PhotoUploadsMixin``).

    The input opens the phone's camera (``capture``) or, with ``camera=False``, its gallery.
    ``max_photos`` and ``too_many`` (a message with ``%(n)d``) let other uploads (visitors'
    problem reports, ``feedback``) reuse the same checks with their own count.
    """

    def __init__(self, *args, multiple=True, camera=True, max_photos=MAX_PHOTOS, too_many=None, **kwargs):
        attrs = {"accept": "image/*"}
        if camera:
            attrs["capture"] = "environment"
        if multiple:
            attrs["multiple"] = True
        self.multiple = multiple
        self.max_photos = max_photos
        self.too_many = too_many or _("A product can have at most %(n)d photos.")
        kwargs.setdefault("widget", (MultiplePhotoInput if multiple else forms.FileInput)(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data]
        uploads = [upload for upload in uploads if upload]
        if len(uploads) > self.max_photos:
            # Refused before reading any: the form decodes every photo it accepts.
            raise ValidationError(self.too_many % {"n": self.max_photos}, code="too_many_photos")
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return [] if self.multiple else None
        checked, errors = [], []
        for upload in uploads:
            try:
                super().clean(upload, initial)
                checked.append(read_photo(upload))
            except ValidationError as exc:
                name = getattr(upload, "name", "") or _("photo")
                errors.extend(f"{name}: {message}" for message in exc.messages)
        if errors:
            raise ValidationError(errors)
        return checked if self.multiple else checked[0]


class PhotoUploadsMixin:
    """A form with ``PhotoField``s: once every other check passed, the photos of all its photo
    fields are admitted together: within the request's pixel limit, counted against the
    uploader's hourly limit, then each decoded (``products.uploads``). ``uploader`` is the user
    the hourly limit counts for."""

    def __init__(self, *args, uploader=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.uploader = uploader

    def clean_photo_uploads(self):
        """Call at the end of ``clean()``. The request's total is checked even when another field is
        wrong; counting against the hour and decoding wait until the rest of the form is valid."""
        by_field = {}
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name) if isinstance(field, PhotoField) else None
            if value:
                by_field[name] = value if isinstance(value, list) else [value]
        photos = [photo for field_photos in by_field.values() for photo in field_photos]
        if not photos:
            return
        try:
            check_request_pixels(photos)
            if self.errors:
                return
            charge_upload(self.uploader, photos)
        except ValidationError as exc:
            self.add_error(None, exc)
            return
        for name, field_photos in by_field.items():
            errors = []
            for photo in field_photos:
                try:
                    decode_photo(photo)
                except ValidationError as exc:
                    errors.extend(f"{photo.name or _('photo')}: {message}" for message in exc.messages)
            if errors:
                self.add_error(name, errors)

    @property
    def over_hourly_limit(self):
        return self.has_error(NON_FIELD_ERRORS, HOURLY_LIMIT_CODE)


class ProductForm(PhotoUploadsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    category = forms.ChoiceField(label=_("Category"), choices=ProductCategory.choices)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("How it is grown, how it tastes, how to keep it."),
    )
    unit = forms.ChoiceField(label=_("Sold by"), choices=ProductUnit.choices)
    price_yuan = forms.DecimalField(
        label=_("Price per unit (yuan)"),
        min_value=Decimal("0.01"),
        max_value=Decimal(MAX_PRICE_FEN) / 100,
        max_digits=9,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    # What is LEFT to sell: the service turns it into the stock (the total ever put on sale).
    remaining = forms.IntegerField(
        label=_("Units left to sell"),
        min_value=0,
        max_value=MAX_STOCK,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("How many you can still sell now. Units already sold are not counted here."),
    )
    months_in_season = forms.TypedMultipleChoiceField(
        label=_("Months in season"),
        choices=[(month, name) for month, name in MONTHS.items()],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    origin_village = forms.ModelChoiceField(
        label=_("Village of origin"), queryset=Village.objects.none(), required=False
    )
    video_url = forms.URLField(
        label=_("Video or live-stream link"), required=False, assume_scheme="https", max_length=200
    )
    offers_pickup = forms.BooleanField(label=_("Pickup at the visitor centre"), required=False)
    offers_homestay_delivery = forms.BooleanField(
        label=_("Delivery to the visitor's homestay"), required=False
    )
    offers_shipping = forms.BooleanField(label=_("Shipping (flat fee per region)"), required=False)
    photos = PhotoField(label=_("Take photos"), help_text=_("Opens your phone's camera."))
    gallery_photos = PhotoField(
        label=_("Or choose photos from your phone"), camera=False, help_text=_("JPEG, PNG or WebP.")
    )
    remove_photos = forms.TypedMultipleChoiceField(
        label=_("Remove photos"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, existing_photos=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin_village"].queryset = Village.objects.in_locale()
        self.existing_photos = list(existing_photos)
        self.fields["remove_photos"].choices = [
            (photo.image_id, str(photo.image.title) if photo.image else str(photo.image_id))
            for photo in self.existing_photos
        ]
        if not self.existing_photos:
            del self.fields["remove_photos"]

    def clean(self):
        cleaned = super().clean()
        if not (
            cleaned.get("offers_pickup")
            or cleaned.get("offers_homestay_delivery")
            or cleaned.get("offers_shipping")
        ):
            self.add_error(None, _("Choose at least one way to get the product to the buyer."))
        new = len(cleaned.get("photos") or []) + len(cleaned.get("gallery_photos") or [])
        kept = len(self.existing_photos) - len(cleaned.get("remove_photos") or [])
        if new + kept > MAX_PHOTOS:
            self.add_error("photos", _("A product can have at most %(n)d photos.") % {"n": MAX_PHOTOS})
        self.clean_photo_uploads()
        return cleaned

    @classmethod
    def initial_for(cls, product, remaining):
        """The form's values for ``product`` (its latest version), with ``remaining`` units left."""
        return {
            "name": product.name,
            "category": product.category,
            "description": product.description,
            "unit": product.unit,
            "price_yuan": fen_to_yuan(product.price_fen),
            "remaining": remaining,
            "months_in_season": list(product.months_in_season or []),
            "origin_village": product.origin_village_id,
            "video_url": product.video_url,
            "offers_pickup": product.offers_pickup,
            "offers_homestay_delivery": product.offers_homestay_delivery,
            "offers_shipping": product.offers_shipping,
        }

    def product_data(self):
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "category": data["category"],
            "description": data["description"].strip(),
            "unit": data["unit"],
            "price_fen": yuan_to_fen(data["price_yuan"]),
            "remaining": data["remaining"],
            "months_in_season": sorted(set(data["months_in_season"])),
            "origin_village": data["origin_village"],
            "video_url": data["video_url"],
            "offers_pickup": data["offers_pickup"],
            "offers_homestay_delivery": data["offers_homestay_delivery"],
            "offers_shipping": data["offers_shipping"],
        }

    def new_photos(self):
        return [*(self.cleaned_data.get("photos") or []), *(self.cleaned_data.get("gallery_photos") or [])]


class ProducerForm(PhotoUploadsMixin, forms.Form):
    """Asking to sell, and later the farmer's public profile."""

    display_name = forms.CharField(
        label=_("Name shown to buyers"), max_length=100, help_text=_("Your name or your farm's name.")
    )
    village = forms.ModelChoiceField(label=_("Village"), queryset=Village.objects.none())
    story = forms.CharField(
        label=_("Your story"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who you are and how you farm: buyers read this next to your produce."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    pickup_address = forms.CharField(
        label=_("Where we collect your produce"),
        max_length=255,
        help_text=_("The address where your produce can be picked up."),
    )
    photo = PhotoField(label=_("Your photo"), multiple=False, camera=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.in_locale()

    def clean(self):
        cleaned = super().clean()
        self.clean_photo_uploads()
        return cleaned

    @classmethod
    def initial_for(cls, producer):
        return {
            "display_name": producer.display_name,
            "village": producer.village_id,
            "story": producer.story,
            "phone": producer.phone,
            "pickup_address": producer.pickup_address,
        }

    def producer_data(self):
        data = self.cleaned_data
        return {
            "display_name": data["display_name"].strip(),
            "village": data["village"],
            "story": data["story"].strip(),
            "phone": data["phone"].strip(),
            "pickup_address": data["pickup_address"].strip(),
            "photo": data.get("photo"),
        }


class RemainingForm(forms.Form):
    remaining = forms.IntegerField(label=_("Units left to sell"), min_value=0, max_value=MAX_STOCK)


class FulfilmentForm(forms.Form):
    status = forms.ChoiceField(choices=FulfilmentStatus.choices, widget=forms.HiddenInput)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64, required=False)


# --- traceability: batches and certificates -----------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"


class BatchForm(forms.Form):
    harvested_on = forms.DateField(label=_("Harvest or production date"), widget=DateInput)
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=ProductUnit.choices)
    village = forms.ModelChoiceField(
        label=_("Village of origin"), queryset=Village.objects.all(), required=False
    )
    plot = forms.CharField(
        label=_("Plot"), max_length=120, required=False, help_text=_("Which field, terrace or garden.")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_harvested_on(self):
        value = self.cleaned_data["harvested_on"]
        if self.today is not None and value > self.today:
            raise ValidationError(_("The harvest date cannot be in the future."), code="future")
        return value


class CertificationForm(PhotoUploadsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of certificate"), choices=CertificationKind.choices)
    name = forms.CharField(
        label=_("Name of the certificate"), max_length=100, required=False, help_text=_("For other kinds.")
    )
    applies_to_all = forms.BooleanField(label=_("Covers all my products"), required=False)
    number = forms.CharField(label=_("Certificate number"), max_length=64)
    issuer = forms.CharField(label=_("Issued by"), max_length=120)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput)
    image = PhotoField(
        label=_("Photo of the certificate"), multiple=False, camera=True, help_text=_("JPEG, PNG or WebP.")
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end of validity cannot be before its start."))
        if cleaned.get("kind") == CertificationKind.OTHER and not (cleaned.get("name") or "").strip():
            self.add_error("name", _("Name the certificate."))
        self.clean_photo_uploads()
        return cleaned
