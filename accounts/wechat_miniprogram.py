"""Log-in from the town's WeChat mini-program: the mini-program gets a one-off code from
``wx.login()``, we exchange it with WeChat (``code2session``) for the person's openid, and answer
with an app token (accounts/tokens.py) for the account linked to that openid, made on the spot
for a new one, unless WeChat's unionid shows the person already has an account through the web's
WeChat log-in: then the openid joins that account. The session key WeChat sends with the openid
is neither stored nor logged.

Off until WECHAT_MINIPROGRAM_APP_ID and WECHAT_MINIPROGRAM_SECRET are set; WECHAT_API_BASE points
the exchange elsewhere (tests: a local server)."""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from .models import User, WeChatIdentity
from .phone_login import INACTIVE
from .roles import VISITORS
from .services import assign_role, record_language
from .social import user_for_unionid
from .tokens import issue_token
from .wechat_api import WeChatUnreachable, get_json

logger = logging.getLogger(__name__)

# code2session's documented errcodes we answer for in their own way; any other is "unavailable".
CODE_INVALID = {40029, 40163}  # invalid code; code already used
RATE_LIMITED = 45011  # too many log-ins, per user, a minute
BUSY = -1


class MiniProgramLoginError(Exception):
    """The log-in failed and nothing was created: the API answers ``status`` with ``message``."""

    status = 502
    code = "wechat_unavailable"
    message = _("WeChat could not be reached to log you in. Please try again in a moment.")


class NotConfigured(MiniProgramLoginError):
    status = 503
    code = "not_configured"
    message = _("Log-in from the WeChat mini-program is not set up on this site.")


class CodeInvalid(MiniProgramLoginError):
    status = 422
    code = "code_invalid"
    message = _("This WeChat log-in code is not valid or was already used. Please log in again.")


class TooManyLogins(MiniProgramLoginError):
    status = 429
    code = "too_many_requests"
    message = _("Too many log-ins from WeChat just now. Please wait a minute and try again.")


class AccountInactive(MiniProgramLoginError):
    status = 403
    code = "inactive"
    message = INACTIVE


def is_configured():
    return bool(settings.WECHAT_MINIPROGRAM_APP_ID and settings.WECHAT_MINIPROGRAM_SECRET)


def code_to_session(code):
    """Ask WeChat whose ``code`` it is: returns (openid, unionid or ""). Raises one of the
    MiniProgramLoginError kinds."""
    if not is_configured():
        raise NotConfigured()
    params = {
        "appid": settings.WECHAT_MINIPROGRAM_APP_ID,
        "secret": settings.WECHAT_MINIPROGRAM_SECRET,
        "js_code": code,
        "grant_type": "authorization_code",
    }
    try:
        answer = get_json("sns/jscode2session", params)
    except WeChatUnreachable:
        raise MiniProgramLoginError() from None
    errcode = answer.get("errcode") or 0
    if errcode in CODE_INVALID:
        raise CodeInvalid()
    if errcode == RATE_LIMITED:
        raise TooManyLogins()
    openid = answer.get("openid")
    if errcode or not isinstance(openid, str) or not openid or len(openid) > 128:
        # 40013 / 40125 (wrong app id or secret) land here too: the site's fault, not the visitor's.
        logger.error("WeChat code2session refused: errcode %s, %s", errcode, answer.get("errmsg", ""))
        raise MiniProgramLoginError()
    unionid = answer.get("unionid")
    return openid, (unionid if isinstance(unionid, str) and len(unionid) <= 128 else "")


def log_in(code, *, device="", language=""):
    """Exchange the mini-program's ``code`` for a token of the openid's account (made for a new
    openid, as a visitor's, in ``language``). Returns (user, token, created); raises one of the
    MiniProgramLoginError kinds, and then nothing was made."""
    openid, unionid = code_to_session(code)
    with transaction.atomic():
        user, created = _account_for(openid, unionid, language)
        if not user.is_active:
            raise AccountInactive()
        token = issue_token(user, name=device or gettext_now("WeChat mini-program"))
    return user, token, created


def _account_for(openid, unionid, language):
    kind = WeChatIdentity.Kind.MINIPROGRAM
    identity = WeChatIdentity.objects.select_related("user").filter(kind=kind, openid=openid).first()
    if identity is not None:
        if unionid and identity.unionid != unionid:
            WeChatIdentity.objects.filter(pk=identity.pk).update(unionid=unionid)
        return identity.user, False
    known = user_for_unionid(unionid)
    try:
        with transaction.atomic():
            if known is not None:
                WeChatIdentity.objects.create(user=known, kind=kind, openid=openid, unionid=unionid)
                return known, False
            # No e-mail address and no number: the person adds a number to book (checkout asks
            # for a verified contact), as a phone account adds an address.
            user = User()
            user.set_unusable_password()
            record_language(user, language)
            user.save()
            assign_role(user, VISITORS)
            WeChatIdentity.objects.create(user=user, kind=kind, openid=openid, unionid=unionid)
            return user, True
    except IntegrityError:  # the same person's other request linked the openid meanwhile
        return WeChatIdentity.objects.select_related("user").get(kind=kind, openid=openid).user, False
