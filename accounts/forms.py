import re

from allauth.account.adapter import get_adapter
from allauth.account.forms import BaseConfirmCodeForm, RequestLoginCodeForm, SignupForm, VerifyPhoneForm
from allauth.account.utils import filter_users_by_email
from allauth.core import context as allauth_context
from allauth.socialaccount.forms import DisconnectForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm

from .models import User
from .phones import PhoneNumberField
from .services import PhoneTaken
from .social import can_unlink


class PhoneSignupForm(SignupForm):
    """allauth's sign-up with the mobile number first: a number, or an e-mail address, or both.
    Signing up by number needs no password (the SMS code logs in); an e-mail-only account keeps
    its password, since it has no other way in."""

    field_order = ["phone", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = _("We text you a 6-digit code to confirm it.")
        self.fields["email"].help_text = _("Optional if you give a mobile number; you can add one later.")
        for name in ("password1", "password2"):
            if name in self.fields:
                self.fields[name].required = False
        self.fields["password1"].label = _("Password (optional with a mobile number)")

    def validate_unique_email(self, value):
        # As allauth does under mandatory verification (which e-mail accounts still have,
        # accounts.stages): the page never says an address is taken; its owner is e-mailed.
        email = get_adapter().validate_unique_email(value)
        self.account_already_exists = bool(filter_users_by_email(email))
        return email

    def clean(self):
        cleaned_data = super().clean()
        phone, email = cleaned_data.get("phone"), cleaned_data.get("email")
        if not phone and not email and not self.has_error("phone") and not self.has_error("email"):
            self.add_error("phone", _("Enter a mobile number or an e-mail address."))
        if not phone and email and not cleaned_data.get("password1") and not self.has_error("password1"):
            self.add_error("password1", _("Choose a password, or sign up with a mobile number instead."))
        return cleaned_data

    def try_save(self, request):
        phone = self.cleaned_data.get("phone")
        if phone:
            # Count the code before the account exists: over a limit, nothing is created.
            from .adapters import reserve_code_for

            reserve_code_for(request, phone)
        return super().try_save(request)


class PhoneCodeRequestForm(forms.Form):
    """The log-in page's first form: only the number; allauth's view behind it reads it with
    PhoneLoginCodeForm."""

    phone = PhoneNumberField()


class PhoneLoginCodeForm(RequestLoginCodeForm):
    """allauth's "send me a code" form, the mobile number first; one of the two is needed."""

    field_order = ["phone", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        if "email" in self.fields:
            self.fields["email"].label = _("or your e-mail address")

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("phone") and not cleaned_data.get("email") and not self.errors:
            self.add_error("phone", _("Enter your mobile number."))
        return cleaned_data


class PhoneVerifyForm(VerifyPhoneForm):
    """allauth's "enter the code" form. For a logged-in person adding or changing their number,
    a right code proves the number is theirs: an account that only typed it in does not stop them
    (accounts.services.take_phone moves it), one on which it is verified does, with our message.
    Said only once the code is right, so nobody learns from it which numbers have accounts."""

    def clean_code(self):
        request = allauth_context.request
        changing = (
            request is not None
            and request.user.is_authenticated
            and self.user is not None
            and request.user.pk == self.user.pk
            and self.phone != self.user.phone_number
        )
        if not changing:
            return super().clean_code()
        code = BaseConfirmCodeForm.clean_code(self)
        if (
            code
            and User.objects.filter(phone_number=self.phone, phone_verified=True)
            .exclude(pk=self.user.pk)
            .exists()
        ):
            raise forms.ValidationError(PhoneTaken.message, code="phone_taken")
        return code


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
    # Chosen here, it holds: a log-in only records a language for a person who has none yet.
    language = forms.ChoiceField(
        label=_("Language of our messages"),
        choices=[("", _("The town's language"))] + list(settings.LANGUAGES),
        required=False,
        help_text=_("Notices about your guests, bookings and sales are written in it."),
    )

    class Meta:
        model = User
        fields = ["display_name", "phone", "language"]
        help_texts = {
            "display_name": _("Shown to hosts and farmers on your bookings and orders."),
            "phone": _("So hosts can reach you on the day of your stay."),
        }

    def clean_phone(self):
        return clean_phone_number(self.cleaned_data.get("phone"))


class NoticeChannelsForm(forms.Form):
    """ "How we reach you": text messages, e-mail, or both. A way they cannot be reached by (no
    verified number, no address) is shown off and cannot be chosen; at least one way is kept."""

    notify_by_sms = forms.BooleanField(label=_("Text messages (SMS)"), required=False)
    notify_by_email = forms.BooleanField(label=_("E-mail"), required=False)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        kwargs.setdefault(
            "initial",
            {
                "notify_by_sms": user.notify_by_sms and user.has_verified_phone,
                "notify_by_email": user.notify_by_email and bool(user.email),
            },
        )
        super().__init__(*args, **kwargs)
        sms, email = self.fields["notify_by_sms"], self.fields["notify_by_email"]
        if user.has_verified_phone:
            sms.help_text = _("To %(phone)s.") % {"phone": user.phone_number}
        else:
            sms.widget.attrs["disabled"] = True
            sms.help_text = _("Add and confirm a mobile number above to get text messages.")
        if user.email:
            email.help_text = _("To %(email)s.") % {"email": user.email}
        else:
            email.widget.attrs["disabled"] = True
            email.help_text = _("Add an e-mail address above to get e-mails.")

    def clean(self):
        cleaned_data = super().clean()
        sms, email = cleaned_data.get("notify_by_sms"), cleaned_data.get("notify_by_email")
        if sms and not self.user.has_verified_phone:
            self.add_error(
                "notify_by_sms", _("Confirm a mobile number first: we text only numbers proven yours.")
            )
        if email and not self.user.email:
            self.add_error("notify_by_email", _("Add an e-mail address first."))
        reachable = self.user.has_verified_phone or bool(self.user.email)
        if reachable and not sms and not email and not self.errors:
            raise forms.ValidationError(
                _("Choose at least one way: we must be able to tell you about your bookings.")
            )
        return cleaned_data


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


class SocialPhoneSignupForm(forms.Form):
    """The last step of a first WeChat log-in (views.SocialSignupView): the mobile number and the
    code texted to it. The number's account gets WeChat, or one is made for it (social)."""

    phone = PhoneNumberField(help_text=_("We text you a 6-digit code to confirm it."))
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=12,
        error_messages={"required": _("Enter the code we texted you. No code yet? Press “Send code” first.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}
        ),
    )

    def __init__(self, *args, sociallogin=None, sending_code=False, **kwargs):
        self.sociallogin = sociallogin
        super().__init__(*args, **kwargs)
        self.fields["code"].required = not sending_code


class SocialDisconnectForm(DisconnectForm):
    """allauth's "remove" on the WeChat page. allauth keeps the last one only with a password;
    here a proven mobile number or address (a code logs in) is a way in too."""

    def clean(self):
        cleaned_data = forms.Form.clean(self)
        account = cleaned_data.get("account")
        if account is None:
            return cleaned_data
        others = self.accounts.exclude(pk=account.pk).exists()
        if not others and not can_unlink(self.request.user):
            raise forms.ValidationError(
                _("Add a mobile number first: without WeChat you would have no way to log in.")
            )
        return cleaned_data
class DeleteAccountForm(forms.Form):
    """Deleting an account is confirmed by its password or, for an account without one, by a
    fresh code texted to its verified mobile number (accounts.phone_codes)."""

    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        required=False,
    )
    code = forms.CharField(
        label=_("The code we texted you"),
        max_length=6,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.by_password = user.has_usable_password()
        self.by_code = not self.by_password and user.has_verified_phone
        if not self.by_password:
            del self.fields["password"]
        if not self.by_code:
            del self.fields["code"]

    @property
    def can_confirm(self):
        return self.by_password or self.by_code

    def clean(self):
        from . import phone_codes

        cleaned = super().clean()
        if self.by_password:
            if not self.user.check_password(cleaned.get("password") or ""):
                self.add_error("password", _("That is not your password."))
        elif self.by_code:
            try:
                phone_codes.check_code(self.user.phone_number, cleaned.get("code") or "")
            except phone_codes.CodeRejected as exc:
                self.add_error("code", exc.message)
        else:
            raise forms.ValidationError(
                _("Set a password or add a mobile number first, so we can check it is you.")
            )
        return cleaned
