"""Who is paying inside WeChat: the visitor's openid in our Official Account (the app bound to
``WECHATPAY_APPID``), which a JSAPI order needs, found by WeChat's silent web authorisation.

The pay page sends WeChat's browser to ``open.weixin.qq.com/connect/oauth2/authorize`` with scope
``snsapi_base`` (no consent screen); WeChat comes back to ``wechatpay_views.wechatpay_oauth`` with
a one-time ``code`` and our ``state``, which must be the one stored in the visitor's session
(else anyone could plant their openid in another's payment: OAuth's CSRF). The code is exchanged
at ``sns/oauth2/access_token`` with the Official Account's secret (``WECHATPAY_APP_SECRET``) for
the openid, kept in the session for the next payments. Without that secret JSAPI is not offered.
WECHAT_OPEN_BASE and WECHAT_API_BASE point elsewhere in tests.
"""

import logging
import secrets
import urllib.parse

from django.conf import settings
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from accounts.wechat_api import WeChatUnreachable, get_json

from .exceptions import PaymentError
from .wechatpay_provider import configured

logger = logging.getLogger(__name__)

SESSION_STATE = "wechatpay_oauth_state"
SESSION_OPENID = "wechatpay_openid"


class AuthorisationFailed(PaymentError):
    """WeChat did not tell us who is paying: the page says why (400, or 503 for WeChat out of reach)."""

    status = 400
    default_message = _(
        "WeChat did not tell us who is paying. Please try again, or pay by scanning the QR code."
    )


class StateMismatch(AuthorisationFailed):
    default_message = _(
        "This WeChat authorisation does not belong to this visit (it may be old or opened elsewhere). "
        "Please start paying again from your order."
    )


class Refused(AuthorisationFailed):
    default_message = _(
        "WeChat did not authorise this payment page. Please try again, or pay by scanning the QR code."
    )


class Unreachable(AuthorisationFailed):
    status = 503
    default_message = _("WeChat could not be reached just now. Please try again in a moment.")


class NotAvailable(AuthorisationFailed):
    status = 503
    default_message = _("Paying inside WeChat is not available just now. Please pay by scanning the QR code.")


def jsapi_enabled() -> bool:
    """Can WeChat's browser pay by JSAPI: WeChat Pay keyed, and the Official Account's secret set?"""
    return configured() and bool(settings.WECHATPAY_APP_SECRET)


def stored_openid(request) -> str | None:
    """The visitor's openid in our Official Account, if this session learnt it before."""
    stored = request.session.get(SESSION_OPENID)
    if isinstance(stored, dict) and stored.get("appid") == settings.WECHATPAY_APPID:
        return stored.get("openid") or None
    return None


def authorize_url(request, *, ref: str, redirect_uri: str) -> str:
    """WeChat's authorisation address for this visit; its ``state`` is remembered in the session."""
    state = secrets.token_urlsafe(24)
    request.session[SESSION_STATE] = {"state": state, "ref": ref}
    # WeChat reads these in this order, and wants the fragment.
    query = urllib.parse.urlencode(
        [
            ("appid", settings.WECHATPAY_APPID),
            ("redirect_uri", redirect_uri),
            ("response_type", "code"),
            ("scope", "snsapi_base"),
            ("state", state),
        ]
    )
    return f"{settings.WECHAT_OPEN_BASE.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect"


def check_state(request, *, ref: str, state: str) -> None:
    """The ``state`` WeChat brought back must be the one this session sent, for this order (used once)."""
    expected = request.session.pop(SESSION_STATE, None)
    if (
        not isinstance(expected, dict)
        or expected.get("ref") != ref
        or not state
        or not constant_time_compare(str(state), str(expected.get("state", "")))
    ):
        raise StateMismatch()


def learn_openid(request, code: str) -> str:
    """Exchange WeChat's one-time ``code`` for the visitor's openid and keep it in the session."""
    if not code:
        raise Refused()  # WeChat came back without a code: the visitor or WeChat said no
    params = {
        "appid": settings.WECHATPAY_APPID,
        "secret": settings.WECHATPAY_APP_SECRET,
        "code": code,
        "grant_type": "authorization_code",
    }
    try:
        answer = get_json("sns/oauth2/access_token", params)
    except WeChatUnreachable:
        raise Unreachable() from None
    openid = answer.get("openid")
    if not isinstance(openid, str) or not openid or len(openid) > 128:
        errcode = answer.get("errcode")
        logger.info("WeChat refused the payment page's code: errcode %s", errcode)
        if errcode in (40125, 40013, 40164, 48001):  # our secret, app id, IP or rights: the site's fault
            logger.error("WeChat's web authorisation is misconfigured: errcode %s", errcode)
            raise NotAvailable()
        raise AuthorisationFailed()
    request.session[SESSION_OPENID] = {"appid": settings.WECHATPAY_APPID, "openid": openid}
    return openid
