"""Forms of the basket and checkout pages (the rules themselves live in the services)."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.phones import PhoneNumberField

from .invoices import InvoiceInvalid, clean_invoice
from .lines import describing_kind
from .models import InvoiceKind

NO_CODE = _("Enter the code we texted you. No code yet? Press “Send code” first.")
BAD_TOTAL = _("The total shown must be a whole number of fen; please reload the page.")


class CheckoutForm(forms.Form):
    contact_name = forms.CharField(label=_("Guest name"), max_length=100)
    contact_phone = forms.CharField(
        label=_("Phone"), max_length=32, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )
    # Not required here: a free order needs none, and whether the order is free is decided by the
    # checkout when it prices the basket (it asks for a method when there is something to pay).
    payment_method = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect, required=False)
    token = forms.UUIDField(widget=forms.HiddenInput)
    # The total the page showed (fen): the checkout stops if the server's total is not this one.
    shown_total_fen = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        required=False,
        error_messages={"invalid": BAD_TOTAL, "min_value": BAD_TOTAL},
    )

    def __init__(self, *args, payment_choices=(), lines=(), guest=False, sending_code=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.guest = guest
        if guest:
            # A visitor without an account: the number they confirm with a code is their contact
            # number and, from then on, their log-in (accounts.phone_login).
            del self.fields["contact_phone"]
            self.fields["phone"] = PhoneNumberField(
                help_text=_("We text you a 6-digit code. No password needed: the code is your log-in.")
            )
            self.fields["code"] = forms.CharField(
                label=_("Code from the text message"),
                max_length=12,
                required=not sending_code,
                error_messages={"required": NO_CODE},
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}
                ),
            )
        self.fields["payment_method"].choices = list(payment_choices)
        if payment_choices and not self.is_bound:
            self.initial.setdefault("payment_method", "on_site")
        self.initial.setdefault("token", uuid.uuid4())
        self.line_fields = []
        for line in lines:
            name = f"note_{line.pk}"
            self.fields[name] = forms.CharField(
                # Each kind names who reads it: the host, the guide, the farmer, the organiser.
                label=describing_kind(line.kind).note_label(line),
                max_length=500,
                required=False,
                initial=line.note,
                widget=forms.Textarea(attrs={"rows": 2, "class": "basket-line__note"}),
            )
            self.line_fields.append((line, name))
        if sending_code:
            # Only the number is needed to text a code; the rest is checked when the order is placed.
            for name, field in self.fields.items():
                if name not in ("phone", "token"):
                    field.required = False

    def notes(self):
        return {line.pk: self.cleaned_data.get(name, "") for line, name in self.line_fields}


class CancelForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, cancel this booking"), required=True)


class LineQuantityForm(forms.Form):
    """How many of a line's units to cancel, for a kind that allows part (tickets); nothing to
    ask otherwise (the whole line goes)."""

    def __init__(self, *args, line, **kwargs):
        super().__init__(*args, **kwargs)
        if describing_kind(line.kind).cancels_in_part and line.quantity > 1:
            self.fields["quantity"] = forms.TypedChoiceField(
                label=_("How many to cancel"),
                choices=[(n, n) for n in range(1, line.quantity + 1)],
                coerce=int,
                initial=line.quantity,
            )


class LineCancelForm(LineQuantityForm):
    """The confirmation: the refund the page showed travels with it (a deadline passing between
    showing and confirming changes the refund, and then nothing is cancelled)."""

    shown_refund_fen = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    confirm = forms.BooleanField(label=_("Yes, cancel it"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "quantity" in self.fields:
            self.fields["quantity"].widget = forms.HiddenInput()


class StayChangeForm(forms.Form):
    """The dates (and room) a stay would move to; the page shows what that costs for them."""

    check_in = forms.DateField(
        label=_("Check-in"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    check_out = forms.DateField(
        label=_("Check-out"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    room_type = forms.TypedChoiceField(label=_("Room"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room_type"].choices = list(choices)
        if len(self.fields["room_type"].choices) < 2:
            self.fields["room_type"].widget = forms.HiddenInput()


class StayChangeConfirmForm(StayChangeForm):
    """The confirmation: the difference the page showed travels with it (a price or a deadline
    moving between showing and confirming changes it, and then nothing is changed)."""

    shown_difference_fen = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(label=_("Yes, change my stay"), required=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # the box comes first, then its words
        super().__init__(*args, **kwargs)
        for name in ("check_in", "check_out", "room_type"):
            self.fields[name].widget = forms.HiddenInput()


class InvoiceRequestForm(forms.Form):
    """What goes on the invoice (发票); the checks are ``invoices.clean_invoice``'s, so the page,
    the checkout and the API refuse the same things with the same words."""

    kind = forms.ChoiceField(
        label=_("Invoice for"),
        choices=InvoiceKind.choices,
        widget=forms.RadioSelect,
        initial=InvoiceKind.PERSONAL,
    )
    title = forms.CharField(
        label=_("Invoice title (抬头)"),
        max_length=150,
        help_text=_("A company's full registered name, or your name for a personal invoice."),
    )
    tax_number = forms.CharField(
        label=_("Tax number (统一社会信用代码)"),
        max_length=24,
        required=False,
        help_text=_("18 characters; needed for a company invoice."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    email = forms.CharField(
        label=_("E-mail for the e-invoice"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = forms.CharField(label=_("Registered address"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Company phone"), max_length=32, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    bank_account = forms.CharField(
        label=_("Bank account"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.details = clean_invoice(data)
        except InvoiceInvalid as exc:
            for name, message in exc.errors.items():
                self.add_error(name if name in self.fields else None, message)
        return data


class CheckoutInvoiceForm(InvoiceRequestForm):
    """The checkout's optional invoice section: read only when "I need an invoice" is ticked."""

    wanted = forms.BooleanField(label=_("I need an invoice (发票)"), required=False)

    def __init__(self, *args, checked=True, **kwargs):
        kwargs.setdefault("prefix", "invoice")
        super().__init__(*args, **kwargs)
        self.asked_for = bool(self.is_bound and self.data.get(self.add_prefix("wanted")))
        self.wanted_now = self.asked_for and checked
        if not self.wanted_now:
            for field in self.fields.values():
                field.required = False

    def clean(self):
        if not self.wanted_now:
            self.details = None
            return {}
        return super().clean()
