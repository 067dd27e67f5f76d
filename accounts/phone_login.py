"""Log in by a code texted to a mobile number, outside allauth's pages: the JSON API
(accounts/api.py) and the guest checkout (orders/views.py) both go through here, so both get the
same limits, the same code rules and the same account for a number.

Proving a number with a code logs into its account, made on the spot (no password, no e-mail
address) for a number nobody uses; an account whose number nobody had proven loses what a
stranger may have set on it, or the number goes to a fresh account (services.prove_phone has
the rule). The session's anonymous basket joins the account on log-in
(orders.basket.merge_on_login)."""

from allauth.account.adapter import get_adapter
from django.contrib.auth import login
from django.utils.translation import gettext_lazy as _

from . import phone_codes
from .services import user_for_verified_phone

# Re-exported: callers catch these from here.
TooManyCodes = phone_codes.TooManyCodes
CodeRejected = phone_codes.CodeRejected

INACTIVE = _("This account is switched off. Please contact the tourism office.")


class AccountInactive(Exception):
    """The account of the number is switched off: not logged in."""

    message = INACTIVE


def send_login_code(request, phone):
    """Text a fresh code to ``phone`` (E.164), counted against the limits of the number, of the
    client's address and of the day; raises TooManyCodes (nothing sent)."""
    phone_codes.issue_code(phone, get_adapter(request).get_client_ip(request))


def log_in_with_code(request, phone, code):
    """Accept ``code`` for ``phone`` and log the request's session into the number's account
    (created if need be). Returns (user, created); raises CodeRejected (wrong, expired, used,
    used up) or AccountInactive, and then nobody is logged in."""
    phone_codes.check_code(phone, code)
    user, created = user_for_verified_phone(phone)
    if not user.is_active:
        raise AccountInactive()
    login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
    return user, created
