# allauth's internals first: importing allauth.account.stages before them runs into a circle
# inside allauth (stages → internal → flows → stagekit → stages), and which of the system checks
# imports this module first changes with the code around it.
import allauth.account.internal  # noqa: F401
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.phone_verification import PHONE_VERIFICATION_SESSION_KEY
from allauth.account.stages import LoginStageController, LoginStageKey
from allauth.account.utils import perform_login
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from django.contrib import messages
from django.contrib.auth.models import Group
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from town.sites import email_subject, site_identity
from town.sms import send_sms

from . import phone_codes
from .phones import PhoneNumberField, phone_or_none
from .roles import VISITORS
from .services import PhoneTaken, prove_phone, record_language, take_phone

# Set on a request by a form that already counted the code it is about to send (signup counts
# before the account is created, so a refused code leaves no account behind).
RESERVED_ATTR = "_tianyuan_phone_code_reserved"
# Set on a request by AccountAdapter.set_phone_verified when the number a log-in by code just
# proved left the account allauth is logging in for a fresh one: (that account's pk, the fresh one).
PHONE_MOVED_ATTR = "_tianyuan_phone_moved"


def too_many_codes(request, exc):
    """The 429 page with the limit's own message (allauth's middleware returns it)."""
    response = render(request, "429.html", {"message": exc.message}, status=429)
    return ImmediateHttpResponse(response)


def reserve_code_for(request, phone):
    """Count a code about to go to ``phone`` against the limits (accounts.phone_codes), once per
    request, or stop the request with a 429 page."""
    reserved = getattr(request, RESERVED_ATTR, set())
    if phone in reserved:
        return
    try:
        phone_codes.reserve_code(phone, AccountAdapter(request).get_client_ip(request))
    except phone_codes.TooManyCodes as exc:
        raise too_many_codes(request, exc) from None
    reserved.add(phone)
    setattr(request, RESERVED_ATTR, reserved)


class AccountAdapter(DefaultAccountAdapter):
    """Every new account is a visitor; other roles are given by staff. Accounts sign in with an
    e-mail address or a mainland mobile number (User.phone_number, verified by an SMS code)."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # allauth's "Try again later" does not say how long; the account lock lasts minutes.
        "too_many_login_attempts": _("Too many log-in attempts. Please wait a few minutes and try again."),
    }

    def format_email_subject(self, subject):
        return email_subject(force_str(subject), allauth_context.request)

    def send_mail(self, template_prefix, email, context):
        # allauth names the site after the request's host ("来自127.0.0.1:8101的 Hello!"): the
        # e-mails name the Wagtail site instead.
        site = site_identity(allauth_context.request)
        context = {**context, "current_site": site, "site_name": site.name}
        return super().send_mail(template_prefix, email, context)

    def save_user(self, request, user, form, commit=True):
        # The sign-up page's language is theirs, even when a verification stage holds up the
        # log-in that would record it (accounts.signals).
        record_language(user, getattr(request, "LANGUAGE_CODE", ""))
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            group, _created = Group.objects.get_or_create(name=VISITORS)
            user.groups.add(group)
        return user

    def get_login_stages(self):
        # Our e-mail stage: a verified mobile number stands in for a verified address.
        return [
            "accounts.stages.EmailVerificationStage"
            if path == "allauth.account.stages.EmailVerificationStage"
            else path
            for path in super().get_login_stages()
        ]

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth keys an account's failed log-ins by the request's host (port included) and the
        # login. The client picks the Host header among ALLOWED_HOSTS and any port, so each new
        # one would start a fresh count: here one account is one key, whatever the host.
        if credentials.get("phone"):
            return phone_or_none(credentials["phone"]) or credentials["phone"]
        return credentials.get("email", credentials.get("username", "")).lower()

    # --- the mobile number (allauth's phone support) -------------------------------------------

    def phone_form_field(self, **kwargs):
        kwargs.pop("label", None)  # ours says "Mobile number"
        return PhoneNumberField(**kwargs)

    def set_phone(self, user, phone, verified):
        user.phone_number = phone
        user.phone_verified = verified
        fields = ["phone_number", "phone_verified"]
        if not user.phone:  # hosts reach the guest on the number they signed up with
            user.phone = phone
            fields.append("phone")
        user.save(update_fields=fields)

    def get_phone(self, user):
        if not user.phone_number:
            return None
        return user.phone_number, user.phone_verified

    def set_phone_verified(self, user, phone):
        """The number is proven (accounts.services.prove_phone has the rule). A log-in by code
        may find that the number leaves ``user`` for a fresh account: allauth then logs in
        ``user`` all the same (LoginCodeVerificationProcess.finish holds it), so pre_login
        swaps it for the fresh one.

        Why here and not earlier, by get_user_by_phone hiding such an account from the log-in
        by code: allauth (65.22) then texts no code but "no account uses this number, sign up",
        and its sign-up has no way to take a number another account holds, so the number's owner
        could never get in; and the number may only move once its code is entered, not when
        somebody asks for one. Here the code is entered and allauth still lets us decide who is
        logged in (pre_login), and the API calls the same service."""
        if user.phone_number != phone:
            self._take_new_phone(user, phone)
            return
        if user.phone_verified:
            return
        by_password_holder = self._code_entered_by_password_holder(user)
        account, _created = prove_phone(user, phone, by_password_holder=by_password_holder)
        if account.pk == user.pk:
            user.refresh_from_db()  # allauth's stages read the number's state from this object
        elif self.request is not None:
            setattr(self.request, PHONE_MOVED_ATTR, (user.pk, account))

    def _take_new_phone(self, user, phone):
        """allauth's "change mobile number" proved a number ``user`` does not hold yet (it never
        stores the number before the code, so the number is set here: accounts.services.take_phone
        has the rule). Only for the logged-in user's own account; any other caller proving a
        number the account does not hold changes nothing."""
        request = self.request
        if request is None or not request.user.is_authenticated or request.user.pk != user.pk:
            return
        try:
            take_phone(user, phone)
        except PhoneTaken as exc:
            # The change is over: the next visit to the page starts afresh, with the reason.
            request.session.pop(PHONE_VERIFICATION_SESSION_KEY, None)
            messages.error(request, exc.message)
            raise ImmediateHttpResponse(redirect("account_change_phone")) from None

    def pre_login(self, request, user, **kwargs):
        moved = getattr(request, PHONE_MOVED_ATTR, None)
        if moved and moved[0] == user.pk:
            # Whoever entered the code goes into the number's fresh account, not the one they
            # asked the code for (set_phone_verified); allauth's stages run for the fresh one.
            delattr(request, PHONE_MOVED_ATTR)
            return perform_login(request, moved[1], redirect_url=kwargs.get("redirect_url"))
        return super().pre_login(request, user, **kwargs)

    def _code_entered_by_password_holder(self, user):
        """Whether the code proving ``user``'s number was entered by whoever set its password.

        allauth calls set_phone_verified for its sign-up/log-in "verify your number" stage, for
        a logged-in user (changing the number, re-authenticating by code), and for a log-in by
        code; only the last proves nothing about the password. We name the flows that do and treat
        every other caller as a log-in by code, so a flow allauth adds later fails safe (it
        wipes a password or moves the number to a fresh account; it never lets a stranger in).
        The stage is read from the log-in allauth keeps in the session, as its own views find it
        (LoginStageController.enter), rather than from the URL, which says which page was posted
        but not for which account: the verify stage only runs in the session that just signed
        up, or logged in with the password, as that account, so there whoever holds the password
        also got the code."""
        request = self.request
        if request is None:
            return False
        if request.user.is_authenticated:  # changing the number, or re-authenticating
            return request.user.pk == user.pk
        stage = LoginStageController.enter(request, LoginStageKey.VERIFY_PHONE.value)
        return bool(stage and stage.login.user and stage.login.user.pk == user.pk)

    def get_user_by_phone(self, phone):
        from .models import User

        phone = phone_or_none(phone)
        if not phone:
            return None
        return User.objects.filter(phone_number=phone, is_active=True).first()

    def send_verification_code_sms(self, user, phone, code, **kwargs):
        reserve_code_for(self.request, phone)
        phone_codes.send_code(phone, code)

    def send_unknown_account_sms(self, phone, **kwargs):
        # Asked for a log-in code for a number no account uses: counted and answered the same as
        # for a known number (the page cannot tell them apart); the text says to sign up.
        reserve_code_for(self.request, phone)
        url = self.request.build_absolute_uri(reverse("account_signup"))
        send_sms(
            phone,
            gettext("No Tianyuan account uses this number yet. Sign up here: %(url)s") % {"url": url},
            template="unknown_account",
            params={"url": url},
        )

    def send_account_already_exists_sms(self, phone):
        reserve_code_for(self.request, phone)
        url = self.request.build_absolute_uri(reverse("account_request_login_code"))
        send_sms(
            phone,
            gettext("You already have a Tianyuan account with this number. Log in with a code: %(url)s")
            % {"url": url},
            template="account_exists",
            params={"url": url},
        )
