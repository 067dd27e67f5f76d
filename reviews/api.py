"""JSON API of reviews.

* ``POST /api/v1/reviews`` ``{order_line_id, rating, text}`` (an app's token or the signed-in
  session with its CSRF token): 201 with the pending review; 403 ``{"detail", "code"}`` when the
  line is not the caller's or not (or no longer) reviewable (``reviews.rules``: ``not_yours``,
  ``too_early``, ``too_late``, ``cancelled``, ``not_sold``, ``kind_not_reviewed``); 409
  ``already_reviewed``; 422 in ninja's shape for a rating outside 1–5 or a text too long;
  401 without an account.
* ``POST /api/v1/reviews/{id}/report`` ``{reason}`` (anyone): a published review goes back to the
  staff; 204, 404 for a review not shown, 429 past the limit (``reviews.limits``).
"""

from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.errors import ValidationError
from pydantic import Field

from accounts.api import token_or_login, token_or_session

from . import limits, rules, services
from .models import MAX_TEXT, Review, ReviewStatus

router = Router(tags=["reviews"])


class ReviewIn(Schema):
    order_line_id: int = Field(description="The id of one of your order lines (a stay, tour or produce).")
    rating: int = Field(description="1 to 5 stars.")
    text: str = Field("", description=f"What you thought (at most {MAX_TEXT} characters).")


class ReviewOut(Schema):
    id: int
    order_line_id: int
    rating: int
    text: str
    status: str = Field(description="pending until staff publish it.")


class ErrorOut(Schema):
    detail: str
    code: str = ""


class ReportIn(Schema):
    reason: str = Field("", max_length=500)


@router.post(
    "",
    response={201: ReviewOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: dict},
    auth=token_or_login,
    summary="Review something you stayed at, took part in or bought",
)
def post_review(request, payload: ReviewIn):
    try:
        review = services.write_review(
            line_id=payload.order_line_id, user=request.user, rating=payload.rating, text=payload.text
        )
    except rules.ReviewRefused as exc:
        return Status(exc.status, {"detail": str(exc.message), "code": exc.code})
    except services.ReviewError as exc:
        field = "rating" if exc.code == "bad_rating" else "text"
        raise ValidationError(
            [{"type": exc.code, "loc": ["body", "payload", field], "msg": str(exc.message)}]
        ) from None
    return Status(
        201,
        {
            "id": review.pk,
            "order_line_id": review.order_line_id,
            "rating": review.rating,
            "text": review.text,
            "status": review.status,
        },
    )


@router.post(
    "/{review_id}/report",
    response={204: None, 404: ErrorOut, 429: ErrorOut},
    auth=token_or_session,
    summary="Report a published review as abusive",
)
def report_review(request, review_id: int, payload: ReportIn):
    review = Review.objects.filter(pk=review_id, status=ReviewStatus.PUBLISHED).first()
    if review is None:
        return Status(404, {"detail": str(_("This review is not shown.")), "code": "not_found"})
    if not limits.may_report(request):
        return Status(429, {"detail": str(limits.TOO_MANY_REPORTS), "code": "too_many_reports"})
    services.report_review(review, reason=payload.reason)
    return Status(204, None)
