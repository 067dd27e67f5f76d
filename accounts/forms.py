import re

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm

from .models import User

# Mainland mobile numbers (11 digits, 1[3-9]...), optionally +86; or other international numbers.
PHONE_RE = re.compile(r"^(\+?86)?1[3-9]\d{9}$|^\+[1-9]\d{6,14}$")


def clean_phone_number(value):
    phone = re.sub(r"[\s\-()]", "", value or "")
    if phone and not PHONE_RE.match(phone):
        raise forms.ValidationError(
            _("Enter a mobile number like 138 0013 8000, or an international number starting with +.")
        )
    return phone


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "phone"]
        help_texts = {
            "display_name": _("Shown to hosts and farmers on your bookings and orders."),
            "phone": _("So hosts can reach you on the day of your stay."),
        }

    def clean_phone(self):
        return clean_phone_number(self.cleaned_data.get("phone"))


class _NamesOptional:
    """Our users have a display name; Wagtail's form insists on first and last names."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].required = False

    def clean_phone(self):
        return clean_phone_number(self.cleaned_data.get("phone"))


class AdminUserCreationForm(_NamesOptional, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | {"display_name", "phone"}


class AdminUserEditForm(_NamesOptional, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | {"display_name", "phone"}
