from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_REPLY, MAX_TEXT

RATINGS = [
    (5, _("5 – excellent")),
    (4, _("4 – good")),
    (3, _("3 – fair")),
    (2, _("2 – poor")),
    (1, _("1 – bad")),
]


class ReviewForm(forms.Form):
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


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_REPLY,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown under the review for everyone. You can reply once."),
    )
