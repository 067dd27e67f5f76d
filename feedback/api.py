"""JSON API of problem reports: ``POST /api/v1/problem-reports`` (multipart/form-data).

The same form as the page (``forms.ProblemReportForm``) checks every field and photo, so the
rules are written once. Who files it: an app's token (``Authorization: Bearer``), else the
signed-in session (CSRF checked, as every session write), else nobody, which needs a mainland
mobile number in ``phone``. Errors:

* 422: ninja's shape, ``{"detail": [{"loc": ["form", field], "msg": ..., "type": code}]}``, with
  ``loc`` ``["form", "__all__"]`` for the report as a whole (no place given; photos too large
  together); nothing is stored;
* 429: ``{"detail": reason, "code": "too_many_reports"}``: too many reports from this address or
  number in an hour;
* 401: a token that does not work; 403: a session without its CSRF token.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import get_language
from ninja import File, Form, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.files import UploadedFile
from pydantic import Field

from accounts.api import app_token, session_with_csrf
from accounts.phones import phone_or_none

from . import limits
from .forms import ProblemReportForm
from .models import MAX_PHOTOS, ProblemCategory
from .notifications import status_url

router = Router(tags=["problem reports"])


def session_or_nobody(request):
    """The session's visitor (CSRF checked) when the request carries a session cookie; else a
    visitor without an account. Never refuses: a report needs no account."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return session_with_csrf(request) or AnonymousUser()
    request.user = AnonymousUser()
    return request.user


class ReportOut(Schema):
    ref: str = Field(description="The report's private reference.")
    status_url: str = Field(description="The private page showing the report's status and the reply.")
    status: str


class ErrorOut(Schema):
    detail: str
    code: str = ""


CATEGORIES = ", ".join(ProblemCategory.values)


@router.post(
    "",
    response={201: ReportOut, 401: ErrorOut, 403: ErrorOut, 422: dict, 429: ErrorOut},
    auth=[app_token, session_or_nobody],
    summary="Report a problem (投诉建议), with photos",
    description=(
        "multipart/form-data. Without a token or session, `phone` (a mainland mobile number) is "
        "required, so the tourism office can reply by text message. Give at least one of "
        f"`attraction` (an attraction page id), `village` (a village id) or `latitude`+`longitude` "
        f"(WGS-84). Up to {MAX_PHOTOS} photos (JPEG, PNG or WebP) in `photos`, within the shop's "
        "upload limits. Limits: 10 reports an hour per address, 5 per number or account (429)."
    ),
)
def post_problem_report(
    request,
    category: str = Form(..., description=f"One of: {CATEGORIES}."),
    text: str = Form(..., description="What happened (at most 2000 characters)."),
    attraction: str = Form("", description="An attraction page's id."),
    village: str = Form("", description="A village's id."),
    latitude: str = Form("", description="WGS-84 latitude."),
    longitude: str = Form("", description="WGS-84 longitude."),
    phone: str = Form("", description="A mainland mobile number; required without an account."),
    photos: File[list[UploadedFile]] = None,
):
    user = request.user if request.user.is_authenticated else None
    number = phone_or_none(phone) or ""
    if not limits.may_submit(request, number, dry_run=True):
        return Status(429, {"detail": str(limits.TOO_MANY_REPORTS), "code": "too_many_reports"})
    form = ProblemReportForm(request.POST, request.FILES, user=user)
    if not form.is_valid():
        raise ValidationError(
            [
                {"type": error.code or "invalid", "loc": ["form", name], "msg": message}
                for name, errors in form.errors.as_data().items()
                for error in errors
                for message in error.messages
            ]
        )
    if not limits.may_submit(request, number):
        return Status(429, {"detail": str(limits.TOO_MANY_REPORTS), "code": "too_many_reports"})
    report = form.submit(user=user, language=get_language())
    return Status(201, {"ref": report.ref, "status_url": status_url(report), "status": report.status})
