"""JSON API of accounts: log in with a mobile number and an SMS code (under /api/v1/auth/).

Session-authenticated with CSRF, as the basket and checkout are (orders/api.py): ask for a code,
then verify it; the session is then logged in, and basket and checkout work as for any account
(a verified number is enough to book). A number with no account gets one on its first verified
code. Both answers are the same whether or not an account uses the number. Errors:

* 422: ninja's shape, ``{"detail": [{"loc": ["body", field], "msg": ..., "type": code}]}``: a
  malformed or non-mainland number (``phone``), a wrong, expired, used or used-up code (``code``);
* 429: ``{"detail": reason, "code": "too_many_codes"}``: a limit on codes (accounts.phone_codes);
* 403: ``{"detail": reason, "code": "inactive"}``: the account of that number is switched off.
"""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Router, Schema, Status
from ninja.errors import ValidationError
from ninja.security.apikey import APIKeyCookie
from pydantic import Field

from . import phone_login
from .phones import normalise_phone

router = Router(tags=["accounts"])


class SessionWithCsrf(APIKeyCookie):
    """Anyone, logged in or not, by the session cookie; CSRF checked on writes (a log-in is a write,
    and login CSRF is real). The basket and checkout API use it too: the basket is the session's."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request, key):
        return request.user


session_with_csrf = SessionWithCsrf()


class PhoneIn(Schema):
    phone: str = Field(
        max_length=32,
        description="A mainland China mobile number: +8613900000000, 13900000000 or 139 0000 0000.",
    )


class PhoneCodeIn(PhoneIn):
    code: str = Field(max_length=12, description="The 6-digit code of the text message.")


class CodeSentOut(Schema):
    phone: str = Field(description="The number the code went to, in E.164.")
    expires_in: int = Field(description="Seconds the code stays valid.")


class LoggedInOut(Schema):
    id: int
    phone: str
    email: str | None
    created: bool = Field(description="True when this code created the account.")


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
    response={202: CodeSentOut, 422: dict, 429: ErrorOut},
    auth=session_with_csrf,
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
    summary="Log in with the code: the session is logged in, a new number gets an account",
)
def post_phone_verify(request, payload: PhoneCodeIn):
    phone = _phone(payload.phone)
    try:
        user, created = phone_login.log_in_with_code(request, phone, payload.code)
    except phone_login.CodeRejected as exc:
        raise _field_error("code", exc.message, exc.code) from None
    except phone_login.AccountInactive as exc:
        return Status(403, {"detail": str(exc.message), "code": "inactive"})
    return Status(200, {"id": user.pk, "phone": phone, "email": user.email, "created": created})
