"""Input checks for availability searches and quotes, shared by pages and the JSON API."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from attractions.models import AttractionPage
from town.forms import ContentChoiceField
from town.models import Village

from . import pricing
from .lines import MAX_LINE_GUESTS, MAX_ROOMS
from .models import AmenityCode
from .selectors import SORT_DISTANCE, SORT_PRICE, SORT_RATING, SORT_RECOMMENDED, local_today

MAX_GUESTS = 20


class StayDatesForm(forms.Form):
    check_in = forms.DateField(label=_("Check-in"), widget=forms.DateInput(attrs={"type": "date"}))
    check_out = forms.DateField(label=_("Check-out"), widget=forms.DateInput(attrs={"type": "date"}))
    guests = forms.IntegerField(label=_("Guests"), min_value=1, max_value=MAX_GUESTS, initial=2)

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        check_in, check_out = data.get("check_in"), data.get("check_out")
        today = self.today or local_today()
        if check_in and check_in < today:
            self.add_error("check_in", _("Check-in cannot be in the past."))
        if check_in and check_out:
            if check_out <= check_in:
                self.add_error("check_out", _("Check-out must be after check-in."))
            elif check_out - check_in > timedelta(days=pricing.MAX_NIGHTS):
                self.add_error(
                    "check_out", _("A stay can be at most %(n)d nights.") % {"n": pricing.MAX_NIGHTS}
                )
        return data


MAX_NIGHTLY_PRICE = 100_000  # ¥ a night: anything above is a typo


class AvailabilityForm(StayDatesForm):
    """The homestay search: dates and guests, plus optional village, price per night and amenities."""

    village = ContentChoiceField(label=_("Village"), queryset=None, required=False)
    # Bounded: the prices reach the SQL filter as numbers (SQLite's integers overflow past 2^63).
    price_min = forms.IntegerField(
        label=_("Minimum price per night (¥)"), min_value=0, max_value=MAX_NIGHTLY_PRICE, required=False
    )
    price_max = forms.IntegerField(
        label=_("Maximum price per night (¥)"), min_value=0, max_value=MAX_NIGHTLY_PRICE, required=False
    )
    amenities = forms.MultipleChoiceField(
        label=_("Amenities"), choices=AmenityCode.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[
            (SORT_RECOMMENDED, _("Recommended")),
            (SORT_PRICE, _("Price, lowest first")),
            (SORT_RATING, _("Best rated first")),
            (SORT_DISTANCE, _("Distance to an attraction")),
        ],
        required=False,
    )
    near = ContentChoiceField(
        label=_("Attraction"), queryset=None, required=False, empty_label=_("Choose an attraction")
    )

    def __init__(self, *args, locale=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.in_locale(locale)
        # Places the visitor can measure from: live attractions of this language with coordinates.
        self.fields["near"].queryset = (
            AttractionPage.objects.live()
            .filter(latitude__isnull=False, longitude__isnull=False)
            .filter(**({"locale": locale} if locale is not None else {}))
            .order_by("title")
            .only("pk", "title", "latitude", "longitude")
        )
        self.fields["check_in"].required = False
        self.fields["check_out"].required = False
        self.fields["guests"].required = False

    def clean(self):
        data = super().clean()
        has_in, has_out = bool(data.get("check_in")), bool(data.get("check_out"))
        if has_in != has_out and not self.errors.get("check_in") and not self.errors.get("check_out"):
            missing = "check_out" if has_in else "check_in"
            self.add_error(missing, _("Give both check-in and check-out dates."))
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and high < low:
            self.add_error("price_max", _("The maximum price must not be below the minimum."))
        if data.get("sort") == SORT_DISTANCE and not data.get("near") and "near" not in self.errors:
            self.add_error("near", _("Choose the attraction to measure the distance from."))
        return data

    @property
    def chosen_sort(self):
        return self.cleaned_data.get("sort") or (
            SORT_DISTANCE if self.cleaned_data.get("near") else SORT_RECOMMENDED
        )

    @property
    def near_point(self):
        """The chosen attraction's (latitude, longitude), or None."""
        near = self.cleaned_data.get("near")
        return (near.latitude, near.longitude) if near is not None else None

    @property
    def has_dates(self):
        return self.is_valid() and bool(
            self.cleaned_data.get("check_in") and self.cleaned_data.get("check_out")
        )

    def search_kwargs(self):
        data = self.cleaned_data
        return {
            "village": data.get("village"),
            # The form speaks yuan; prices are fen everywhere else.
            "price_min": data["price_min"] * 100 if data.get("price_min") is not None else None,
            "price_max": data["price_max"] * 100 if data.get("price_max") is not None else None,
            "amenities": data.get("amenities") or (),
        }


class QuoteForm(StayDatesForm):
    rooms = forms.IntegerField(label=_("Rooms"), min_value=1, max_value=10, initial=1, required=False)


class AddStayForm(forms.Form):
    """The "add to basket" form under a room on a homestay page; the stay line kind validates
    and prices it (``homestays.lines``)."""

    room_type_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    check_in = forms.DateField(label=_("Check-in"), widget=forms.DateInput(attrs={"type": "date"}))
    check_out = forms.DateField(label=_("Check-out"), widget=forms.DateInput(attrs={"type": "date"}))
    guests = forms.IntegerField(label=_("Guests"), min_value=1, max_value=MAX_LINE_GUESTS, initial=2)
    rooms = forms.IntegerField(label=_("Rooms"), min_value=1, max_value=MAX_ROOMS, initial=1)
