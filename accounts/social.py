"""WeChat log-in by the web QR code, through allauth's socialaccount and its "weixin" provider.

allauth runs the OAuth dance (the QR page at open.weixin.qq.com, the access token, the user
info); this module owns what is ours: WeChat is offered only when its app id and secret are
configured, WeChat's errors reach allauth as errors, and a first WeChat log-in is linked by a
mobile number proven with a code (the number's account, by services.user_for_verified_phone's
rules, or a fresh one), so a WeChat account never becomes an account without a number. A person
WeChat already knows to us through another of our WeChat apps (the same unionid: the mini-program)
logs into that account instead once it has a proven number, so one visitor does not end up with two.
"""

import functools
import logging

import requests
from allauth.account.utils import perform_login
from allauth.socialaccount import app_settings as socialaccount_settings
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from requests.adapters import HTTPAdapter

from . import phone_codes
from .models import WeChatIdentity
from .phone_login import AccountInactive
from .services import user_for_verified_phone

logger = logging.getLogger(__name__)

PROVIDER = "weixin"
# Where allauth's weixin provider sends its requests (its adapter's access_token_url, profile_url).
WECHAT_API = "https://api.weixin.qq.com"


class WeChatError(requests.RequestException):
    """WeChat answered an API call with an error code (an expired or used log-in code, a wrong
    secret...). allauth's callback shows its error page for a RequestException."""

    def __init__(self, errcode, errmsg, **kwargs):
        self.errcode = errcode
        self.errmsg = errmsg
        super().__init__(f"WeChat error {errcode}: {errmsg}", **kwargs)


class AlreadyLinked(Exception):
    """The WeChat account got linked to an account meanwhile (another tab finished first)."""

    message = _("This WeChat account is already linked to a Tianyuan account. Log in with WeChat to use it.")


def wechat_configured(request=None):
    """Whether WeChat log-in is offered: its app id and secret are set (WECHAT_APP_ID,
    WECHAT_APP_SECRET, through SOCIALACCOUNT_PROVIDERS, read at each call so tests can switch it)."""
    return bool(get_social_adapter(request).list_apps(request, provider=PROVIDER))


def wechat_required(view):
    """Answer 404 on WeChat's pages while WeChat log-in is not configured (allauth would fail
    with a 500 looking for the app)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not wechat_configured(request):
            raise Http404("WeChat log-in is not configured.")
        return view(request, *args, **kwargs)

    return wrapped


def _raise_wechat_error(response, *args, **kwargs):
    # WeChat answers errors with HTTP 200 and {"errcode": ..., "errmsg": ...}; allauth's provider
    # would take that for the user's info and fail on the missing openid (a 500).
    try:
        data = response.json()
    except ValueError:
        return
    if isinstance(data, dict) and data.get("errcode"):
        raise WeChatError(data["errcode"], data.get("errmsg", ""), response=response)


class _ToWeChatApiBase(HTTPAdapter):
    """Sends the calls allauth addresses to WeChat's API to WECHAT_API_BASE instead."""

    def __init__(self, base):
        super().__init__()
        self.base = base.rstrip("/")

    def send(self, request, **kwargs):
        request.url = self.base + request.url[len(WECHAT_API) :]
        return super().send(request, **kwargs)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_requests_session(self):
        session = super().get_requests_session()
        base = getattr(settings, "WECHAT_API_BASE", WECHAT_API) or WECHAT_API
        if base.rstrip("/") != WECHAT_API:
            session.mount(WECHAT_API + "/", _ToWeChatApiBase(base))
        session.hooks["response"].append(_raise_wechat_error)
        return session

    def pre_social_login(self, request, sociallogin):
        # A first web log-in by someone the mini-program already knows: the same unionid is the
        # same person to WeChat, so their bookings stay in one account. Only an account that
        # has proven a number (or address) is joined: the web's rule that a WeChat account never
        # becomes one without a way to reach it still holds; the others go through the number
        # step. (Linking from the account page is allauth's own "connect", left alone.)
        if sociallogin.is_existing or sociallogin.state.get("process") == AuthProcess.CONNECT:
            return
        user = user_for_unionid(sociallogin.account.extra_data.get("unionid"))
        if user is not None and user.has_verified_contact:
            sociallogin.connect(request, user)

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        # The visitor sees a plain "try again"; what WeChat said is for whoever runs the site.
        logger.warning("WeChat log-in failed (%s): %s", error, exception)
        return super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )


def user_for_unionid(unionid):
    """The active account one of our WeChat apps already links to this unionid (the person across
    the apps of the town's WeChat Open Platform account), the oldest if several; else None."""
    if not isinstance(unionid, str) or not unionid:
        return None
    identity = (
        WeChatIdentity.objects.select_related("user")
        .filter(unionid=unionid, user__is_active=True)
        .order_by("pk")
        .first()
    )
    if identity is not None:
        return identity.user
    account = (
        SocialAccount.objects.select_related("user")
        .filter(provider=PROVIDER, extra_data__unionid=unionid, user__is_active=True)
        .order_by("pk")
        .first()
    )
    return account.user if account is not None else None


def can_unlink(user):
    """Whether ``user`` keeps a way in without WeChat: a proven number or address (a code logs
    in), or a password."""
    return user.has_verified_contact or user.has_usable_password()


def sign_up_by_phone(request, sociallogin, phone, code):
    """A first WeChat log-in: ``code`` proves ``phone`` (E.164), and WeChat is linked to the
    number's account, or to one made for it (services.user_for_verified_phone: the same account
    a log-in by code would reach). Returns (user, created). Raises phone_codes.CodeRejected,
    AccountInactive or AlreadyLinked, and then nothing is linked or made."""
    phone_codes.check_code(phone, code)
    try:
        with transaction.atomic():
            user, created = user_for_verified_phone(phone)
            if not user.is_active:
                raise AccountInactive()
            nickname = (sociallogin.account.extra_data.get("nickname") or "").strip()
            if created and nickname:
                user.display_name = nickname[:80]
                user.save(update_fields=["display_name"])
            sociallogin.connect(request, user)
    except IntegrityError:  # the openid was linked meanwhile (unique provider and uid)
        raise AlreadyLinked() from None
    return user, created


def log_in_linked(request, sociallogin):
    """Log in the account a first WeChat log-in was just linked to, as allauth logs in a WeChat
    account it already knows (socialaccount.internal.flows.login._login): not a sign-up."""
    from allauth.socialaccount.internal.flows.login import record_authentication

    record_authentication(request, sociallogin)
    return perform_login(
        request,
        sociallogin.user,
        email_verification=socialaccount_settings.EMAIL_VERIFICATION,
        redirect_url=sociallogin.get_redirect_url(request),
        signal_kwargs={"sociallogin": sociallogin},
    )
