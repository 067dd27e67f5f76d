"""JSON API of accounts: log in with a mobile number and an SMS code (under /api/v1/auth/).

Session-authenticated with CSRF, as the basket and checkout are (orders/api.py): ask for a code,
then verify it; the session is then logged in, and basket and checkout work as for any account
(a verified number is enough to book). A number with no account gets one on its first verified
code. Both answers are the same whether or not an account uses the number. Errors:

* 422: ninja's shape, ``{"detail": [{"loc": ["body", field], "msg": ..., "type": code}]}``: a
  malformed or non-mainland number (``phone``), a wrong, expired, used or used-up code (``code``);
* 429: ``{"detail": reason, "code": "too_many_codes"}``: a limit on codes (accounts.phone_codes);
* 403: ``{"detail": reason, "code": "inactive"}``: the account of that number is switched off.

Apps and the WeChat mini-program authenticate with a token instead (``Authorization: Bearer
<token>``, accounts/tokens.py): from the phone log-in with ``"token": true`` or from
``/auth/wechat/miniprogram``. An account the mini-program made has no number: it asks for a
code (``/auth/phone/code`` with its token) and proves it with ``/auth/phone/add``, and can then
book. A request with a token needs no CSRF token (it carries no cookie a
page could make the browser send); a bad token is 401 ``{"detail": reason, "code": ...}``, never
a fall-back to the session.
"""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from ninja import Router, Schema, Status
from ninja.errors import ValidationError
from ninja.security import HttpBearer, django_auth
from ninja.security.apikey import APIKeyCookie
from pydantic import Field

from . import phone_codes, phone_login, services, tokens, wechat_miniprogram
from .phones import normalise_phone

router = Router(tags=["accounts"])


class SessionWithCsrf(APIKeyCookie):
    """Anyone, logged in or not, by the session cookie; CSRF checked on writes (a log-in is a write,
    and login CSRF is real). The basket and checkout API use it too: the basket is the session's."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request, key):
        return request.user


session_with_csrf = SessionWithCsrf()


class AppToken(HttpBearer):
    """``Authorization: Bearer <token>``: the token's account. No CSRF check: a page on another
    site cannot make the browser send this header. A token that does not work raises
    tokens.TokenRejected (401 with the reason, config/api.py), rather than letting the next
    scheme (the session) answer for the request."""

    openapi_description = (
        'An app\'s token, from POST /api/v1/auth/phone/verify with "token": true or from POST '
        "/api/v1/auth/wechat/miniprogram; valid API_TOKEN_DAYS (30 by default). Needs no CSRF token. "
        'A token that does not work is 401 {"detail": reason, "code": ...} with code '
        "token_invalid (unknown, or its account deleted), token_expired, token_revoked (signed out on "
        "the account page) or account_inactive."
    )

    def authenticate(self, request, token):
        user = tokens.user_for_token(token)
        request.user = user
        return user


app_token = AppToken()
# What the routers use: a token first, when the request has one, else the session.
token_or_session = [app_token, session_with_csrf]  # visitors too (the basket is theirs)
token_or_login = [app_token, django_auth]  # a logged-in account


class PhoneIn(Schema):
    phone: str = Field(
        max_length=32,
        description="A mainland China mobile number: +8613900000000, 13900000000 or 139 0000 0000.",
    )


class PhoneCodeIn(PhoneIn):
    code: str = Field(max_length=12, description="The 6-digit code of the text message.")
    token: bool = Field(
        default=False, description="Also answer with a token for ``Authorization: Bearer`` (apps)."
    )
    device: str = Field(
        default="", max_length=80, description="A name for the token, shown on the account page."
    )


class CodeSentOut(Schema):
    phone: str = Field(description="The number the code went to, in E.164.")
    expires_in: int = Field(description="Seconds the code stays valid.")


class LoggedInOut(Schema):
    id: int
    phone: str
    email: str | None
    created: bool = Field(description="True when this code created the account.")
    token: str | None = Field(
        default=None, description="Only when asked for: the API token (shown this once)."
    )


class MiniProgramIn(Schema):
    code: str = Field(min_length=1, max_length=128, description="The code from ``wx.login()``.")
    device: str = Field(
        default="", max_length=80, description="A name for the token, shown on the account page."
    )


class TokenOut(Schema):
    id: int = Field(description="The account's id.")
    token: str = Field(description="The API token for ``Authorization: Bearer`` (shown this once).")
    created: bool = Field(description="True when this log-in created the account.")


class ErrorOut(Schema):
    detail: str
    code: str = ""


def _field_error(name, message, code):
    return ValidationError([{"type": code, "loc": ["body", name], "msg": str(message)}])


def _phone(value):
    try:
        return normalise_phone(value)
    except DjangoValidationError as exc:
        raise _field_error("phone", exc.messages[0], exc.code) from None


@router.post(
    "/phone/code",
    response={202: CodeSentOut, 401: ErrorOut, 422: dict, 429: ErrorOut},
    # With a token too: an app's account (the mini-program's) asks for a code to add a number.
    auth=token_or_session,
    summary="Text a 6-digit log-in code to a mobile number",
    description="The code is valid for 5 minutes and 3 tries; asking again replaces it. Limits: "
    "per number 1 a minute, 5 an hour, 10 a day; per client address; and a daily total (429).",
)
def post_phone_code(request, payload: PhoneIn):
    phone = _phone(payload.phone)
    try:
        phone_login.send_login_code(request, phone)
    except phone_login.TooManyCodes as exc:
        return Status(429, {"detail": str(exc.message), "code": "too_many_codes"})
    return Status(202, {"phone": phone, "expires_in": settings.PHONE_CODE_TIMEOUT})


@router.post(
    "/phone/verify",
    response={200: LoggedInOut, 403: ErrorOut, 422: dict},
    auth=session_with_csrf,
    exclude_unset=True,  # "token" only when asked for
    summary="Log in with the code: the session is logged in, a new number gets an account",
    description='With ``"token": true`` the answer also has a token for ``Authorization: Bearer`` '
    "(valid for API_TOKEN_DAYS, 30 by default; listed and revocable on the account page).",
)
def post_phone_verify(request, payload: PhoneCodeIn):
    phone = _phone(payload.phone)
    try:
        user, created = phone_login.log_in_with_code(request, phone, payload.code)
    except phone_login.CodeRejected as exc:
        raise _field_error("code", exc.message, exc.code) from None
    except phone_login.AccountInactive as exc:
        return Status(403, {"detail": str(exc.message), "code": "inactive"})
    body = {"id": user.pk, "phone": phone, "email": user.email, "created": created}
    if payload.token:
        body["token"] = tokens.issue_token(user, name=payload.device or gettext("App"))
    return Status(200, body)


class PhoneProvedIn(PhoneIn):
    code: str = Field(max_length=12, description="The 6-digit code of the text message.")


class PhoneAddedOut(Schema):
    id: int
    phone: str


@router.post(
    "/phone/add",
    response={200: PhoneAddedOut, 401: ErrorOut, 409: ErrorOut, 422: dict},
    auth=token_or_login,
    summary="Add a mobile number to the logged-in account (or the token's), proven by its code",
    description="For an account made by the WeChat mini-program, which has no number yet: ask "
    "for a code with /auth/phone/code, then send it here; the number becomes the account's "
    "verified number, and a verified number is enough to book. It replaces the account's number, "
    "if it had one. 422: a wrong, expired or used code, or a bad number; 409 "
    '``{"code": "phone_taken"}``: the number is verified on another account (log in with it '
    "instead); an account that only typed the number in without proving it loses it.",
)
def post_phone_add(request, payload: PhoneProvedIn):
    phone = _phone(payload.phone)
    try:
        phone_codes.check_code(phone, payload.code)
    except phone_codes.CodeRejected as exc:
        raise _field_error("code", exc.message, exc.code) from None
    try:
        user = services.take_phone(request.user, phone)
    except services.PhoneTaken as exc:
        return Status(409, {"detail": str(exc.message), "code": "phone_taken"})
    return Status(200, {"id": user.pk, "phone": user.phone_number})


@router.post(
    "/wechat/miniprogram",
    response={
        200: TokenOut,
        201: TokenOut,
        403: ErrorOut,
        422: dict,
        429: ErrorOut,
        502: ErrorOut,
        503: ErrorOut,
    },
    auth=None,  # no session is logged in: the token in the answer is the only thing given
    summary="Log in from the WeChat mini-program: exchange a wx.login() code for an API token",
    description="The code is checked with WeChat (code2session). 201 and a new account for a "
    "WeChat user seen for the first time, 200 for one already linked. Errors: 422 a code WeChat "
    "refuses (invalid or used: errcode 40029, 40163); 429 WeChat's log-in limit (45011); 403 the "
    "account is switched off; 502 WeChat unreachable or refusing; 503 not set up on this site.",
)
def post_wechat_miniprogram(request, payload: MiniProgramIn):
    try:
        user, token, created = wechat_miniprogram.log_in(
            payload.code, device=payload.device, language=getattr(request, "LANGUAGE_CODE", "")
        )
    except wechat_miniprogram.CodeInvalid as exc:
        raise _field_error("code", exc.message, exc.code) from None
    except wechat_miniprogram.MiniProgramLoginError as exc:
        return Status(exc.status, {"detail": str(exc.message), "code": exc.code})
    return Status(201 if created else 200, {"id": user.pk, "token": token, "created": created})
