"""The group enquiry form: the page and the API both fill it, so the rules are written once.

The contact's mobile number is proven by a code texted through ``accounts.phone_codes`` (the same
limits as every code of the site); the code is checked last, once everything else is right, so a
form with another mistake does not use it up."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Locale

from accounts import phone_codes
from accounts.phones import PhoneNumberField

from . import services
from .models import MAX_PEOPLE, MAX_TEXT, OrganisationKind, StudyProgrammePage

MAX_DAYS = 30
# Enquiries further ahead than this are likely a typo in the year.
MAX_LEAD_DAYS = 730
NO_CODE = _("Enter the 6-digit code we texted to this number, or ask for one first.")


def programme_choices():
    return (
        StudyProgrammePage.objects.live()
        .public()
        .filter(locale=Locale.get_active())
        .only("pk", "title")
        .order_by("title")
    )


def _count(label):
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_PEOPLE,
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class GroupEnquiryForm(forms.Form):
    organisation = forms.CharField(
        label=_("School, company or association"),
        max_length=200,
        error_messages={"required": _("Please give the name of your school, company or association.")},
    )
    type = forms.ChoiceField(
        label=_("Type"),
        choices=OrganisationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose the type of group.")},
    )
    start_date = forms.DateField(
        label=_("First day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date like 2027-05-12.")},
    )
    end_date = forms.DateField(
        label=_("Last day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date like 2027-05-14.")},
    )
    pupils = _count(_("Pupils"))
    teachers = _count(_("Teachers"))
    adults = _count(_("Other adults"))
    ages = forms.CharField(
        label=_("Ages"), max_length=100, required=False, help_text=_("For example: 10 to 12, grade 5.")
    )
    programme = forms.ModelChoiceField(
        label=pgettext_lazy("study tour", "Programme"),
        queryset=StudyProgrammePage.objects.none(),
        required=False,
        empty_label=_("— none chosen —"),
    )
    wishes = forms.CharField(
        label=_("Wishes"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the group would like to do and learn, meals, rooms, transport."),
    )
    budget_yuan = forms.IntegerField(
        label=_("Budget for the whole group (yuan)"), min_value=0, max_value=10_000_000, required=False
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=100)
    contact_phone = PhoneNumberField(
        help_text=_("We text a 6-digit code to confirm it, and call you about the quote.")
    )
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=12,
        error_messages={"required": NO_CODE},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}
        ),
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)

    def __init__(self, *args, sending_code=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programme_choices()
        self.sending_code = sending_code
        if sending_code:
            # Only the number is needed to text a code; the rest is checked when the form is sent.
            for name, field in self.fields.items():
                field.required = name == "contact_phone"

    def clean(self):
        cleaned = super().clean()
        if self.sending_code:
            return cleaned
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        today = timezone.localdate()
        if start is not None and start <= today:
            self.add_error(
                "start_date", ValidationError(_("The first day must be after today."), code="past")
            )
        elif start is not None and start > today + datetime.timedelta(days=MAX_LEAD_DAYS):
            self.add_error(
                "start_date", ValidationError(_("We take enquiries up to two years ahead."), code="too_far")
            )
        if start is not None and end is not None:
            if end < start:
                self.add_error(
                    "end_date",
                    ValidationError(_("The last day cannot be before the first."), code="before_start"),
                )
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error(
                    "end_date",
                    ValidationError(
                        _("A stay can be at most %(n)d days.") % {"n": MAX_DAYS}, code="too_long"
                    ),
                )
        counts = [cleaned.get(name) or 0 for name in ("pupils", "teachers", "adults")]
        if not any(self.has_error(name) for name in ("pupils", "teachers", "adults")):
            for name in ("pupils", "teachers", "adults"):
                cleaned[name] = cleaned.get(name) or 0
            if sum(counts) == 0:
                self.add_error(
                    "pupils", ValidationError(_("How many people come? Give at least one."), code="no_people")
                )
            elif (
                cleaned.get("type") == OrganisationKind.SCHOOL
                and cleaned["pupils"]
                and not cleaned["teachers"]
            ):
                self.add_error(
                    "teachers",
                    ValidationError(_("Pupils come with at least one teacher."), code="no_teacher"),
                )
        # The code last: a form with another mistake keeps it for the next try.
        if not self.errors and cleaned.get("code"):
            try:
                phone_codes.check_code(cleaned["contact_phone"], cleaned["code"])
            except phone_codes.CodeRejected as exc:
                self.add_error("code", ValidationError(exc.message, code=exc.code))
        return cleaned

    def submit(self, *, language):
        """Store the valid, proven enquiry (services.submit_enquiry): the page and the API alike."""
        data = self.cleaned_data
        budget = data.get("budget_yuan")
        return services.submit_enquiry(
            organisation=data["organisation"],
            kind=data["type"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            pupils=data["pupils"],
            adults=data["adults"],
            teachers=data["teachers"],
            ages=data.get("ages", ""),
            programme=data.get("programme"),
            wishes=data.get("wishes", ""),
            budget_fen=None if budget is None else budget * 100,
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data.get("contact_email", ""),
            language=language,
        )


class RosterUploadForm(forms.Form):
    """The organiser's roster file; what is in it is checked by ``rosters.read_roster``."""

    file = forms.FileField(
        label=_("Roster file (CSV or XLSX)"),
        error_messages={
            "required": _("Choose the roster file to upload."),
            "empty": _("The file is empty."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
