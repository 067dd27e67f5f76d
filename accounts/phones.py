"""Mobile numbers: read what people type ("139 0000 0000", "+86 139-0000-0000") into E.164
("+8613900000000"), the one form stored, looked up and texted. Mainland mobile numbers only,
unless PHONE_FOREIGN_NUMBERS_ALLOWED says otherwise (codes cost money and are abused abroad)."""

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAINLAND = "CN"

INVALID = _("Enter a mobile number like 139 0000 0000.")
NOT_MOBILE = _("This is not a mainland China mobile number: enter the 11 digits starting with 1.")
FOREIGN = _("Only mainland China mobile numbers (+86) can receive codes here.")


def foreign_numbers_allowed():
    return getattr(settings, "PHONE_FOREIGN_NUMBERS_ALLOWED", False)


def normalise_phone(value):
    """The number in E.164, or ValidationError with a message a visitor understands."""
    text = (value or "").strip()
    if not text or len(text) > 32:
        raise ValidationError(INVALID, code="invalid_phone")
    try:
        number = phonenumbers.parse(text, MAINLAND)
    except phonenumbers.NumberParseException:
        raise ValidationError(INVALID, code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        code = "invalid_phone" if number.country_code != 86 else "not_mobile"
        raise ValidationError(INVALID if code == "invalid_phone" else NOT_MOBILE, code=code)
    kind = phonenumbers.number_type(number)
    mobile = kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if number.country_code == 86:
        if not mobile:
            raise ValidationError(NOT_MOBILE, code="not_mobile")
    elif not foreign_numbers_allowed():
        raise ValidationError(FOREIGN, code="foreign_phone")
    elif not mobile:
        raise ValidationError(INVALID, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164):
    """A stored number as people read it: "+86 139 0000 0000"."""
    try:
        number = phonenumbers.parse(e164, MAINLAND)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_or_none(value):
    """normalise_phone for look-ups: None where a number could not be one of ours."""
    try:
        return normalise_phone(value)
    except ValidationError:
        return None


class PhoneNumberField(forms.CharField):
    """The form field allauth's forms use for phones (AccountAdapter.phone_form_field)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "type": "tel",
                    "autocomplete": "tel",
                    "inputmode": "tel",
                    "placeholder": _("Mobile number, e.g. 139 0000 0000"),
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalise_phone(value) if value else value
