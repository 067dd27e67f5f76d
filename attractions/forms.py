"""The booking form of an experience page (the tour line kind validates and prices it)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .lines import MAX_PEOPLE


class ExperienceBookingForm(forms.Form):
    slot_id = forms.IntegerField(
        label=_("Time"), min_value=1, error_messages={"required": _("Please choose a time.")}
    )
    adults = forms.IntegerField(label=_("Adults"), min_value=1, max_value=MAX_PEOPLE, initial=2)
    children = forms.IntegerField(
        label=_("Children"), min_value=0, max_value=MAX_PEOPLE, initial=0, required=False
    )
    child_ages = forms.CharField(
        label=_("Children's ages"),
        max_length=200,
        required=False,
        help_text=_('Separated by commas, e.g. "4, 9". Needed for age limits and free places.'),
    )

    def line_data(self):
        data = self.cleaned_data
        return {
            "kind": "tour",
            "slot_id": data["slot_id"],
            "adults": data["adults"],
            "children": data.get("children") or 0,
            "child_ages": data.get("child_ages") or None,
        }
