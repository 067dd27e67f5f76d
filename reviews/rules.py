"""Who may review which order line, and when: the one place the rules are written, called by the
visitor's pages, the API and the "my trips" links alike.

A visitor reviews a line of their own order only once they have had what they bought:

* a stay: from the day after check-out (the check-out day has passed);
* a tour: once their voucher was checked in at the gate (attending is what counts, not the date);
* produce: once the farmer handed it over (pickup, homestay delivery), or ``SHIPPED_ARRIVAL_DAYS``
  after it was shipped (no delivery is recorded for a parcel).

and for ``WINDOW_DAYS`` days after that day (Asia/Shanghai), so reviews speak of a recent visit.
Never for a cancelled or changed line, an order that was cancelled, refunded or never paid or
confirmed, and once per line. Other kinds (festival tickets, timed entry) are not reviewed.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attractions.inventory import TOUR
from homestays.inventory import STAY
from orders.models import SOLD_STATUSES
from products.inventory import PRODUCT
from products.models import FulfilmentStatus

from .models import Review

# How long after the stay, the tour or the produce's arrival a review may be written.
WINDOW_DAYS = 60
# A parcel is taken to have arrived this many days after it was shipped.
SHIPPED_ARRIVAL_DAYS = 3
REVIEWED_KINDS = (STAY, TOUR, PRODUCT)


class ReviewRefused(Exception):
    """The line may not be reviewed (now); ``code`` for the API, ``message`` shown as is."""

    status = 403

    def __init__(self, code, message):
        self.code = code
        self.message = message
        super().__init__(str(message))


class AlreadyReviewed(ReviewRefused):
    status = 409


NOT_YOURS = "not_yours"
NOT_REVIEWED_KIND = "kind_not_reviewed"
CANCELLED = "cancelled"
NOT_SOLD = "not_sold"
TOO_EARLY = "too_early"
TOO_LATE = "too_late"
ALREADY = "already_reviewed"

MESSAGES = {
    NOT_YOURS: _("You can only review what you booked or bought yourself."),
    NOT_REVIEWED_KIND: _("Reviews are for stays, tours and produce."),
    CANCELLED: _("A cancelled or refunded booking cannot be reviewed."),
    NOT_SOLD: _("Only a confirmed or paid order can be reviewed."),
    TOO_EARLY: _("You can write a review once you have stayed, taken part or received your order."),
    TOO_LATE: _("Reviews can be written up to %(days)s days afterwards."),
    ALREADY: _("You have already reviewed this."),
}


@dataclass(frozen=True)
class Eligibility:
    code: str = ""  # empty: the line may be reviewed now
    until: datetime.date | None = None  # the last day a review can be written

    @property
    def allowed(self):
        return not self.code

    @property
    def message(self):
        message = MESSAGES.get(self.code, "")
        return message % {"days": WINDOW_DAYS} if self.code == TOO_LATE else message


def _today(now=None):
    return timezone.localdate(now or timezone.now())


def _had_on(line):
    """The day the visitor had what the line sold, or None while they have not (yet)."""
    if line.kind == STAY:
        # The day after check-out: the check-out day has passed.
        return line.end_date + datetime.timedelta(days=1) if line.end_date else None
    if line.kind == TOUR:
        try:
            used_at = line.voucher.used_at
        except ObjectDoesNotExist:
            return None
        return timezone.localdate(used_at) if used_at else None
    if line.kind == PRODUCT:
        try:
            fulfilment = line.fulfilment
        except ObjectDoesNotExist:
            return None
        day = timezone.localdate(fulfilment.updated_at)
        if fulfilment.status == FulfilmentStatus.HANDED_OVER:
            return day
        if fulfilment.status == FulfilmentStatus.SHIPPED:
            return day + datetime.timedelta(days=SHIPPED_ARRIVAL_DAYS)
    return None


def eligibility(line, user, *, now=None, reviewed=None):
    """May ``user`` review ``line`` now? ``reviewed``: whether the line already has a review, when
    the caller read it for many lines at once (else it is read here)."""
    if user is None or not user.is_authenticated or line.order.user_id != user.pk:
        return Eligibility(NOT_YOURS)
    if line.kind not in REVIEWED_KINDS:
        return Eligibility(NOT_REVIEWED_KIND)
    if line.cancelled_at is not None or line.replaced_by_id or line.order.status not in SOLD_STATUSES:
        cancelled = line.cancelled_at is not None or line.order.status in ("cancelled", "refunded")
        return Eligibility(CANCELLED if cancelled else NOT_SOLD)
    if reviewed is None:
        reviewed = _has_review(line)
    if reviewed:
        return Eligibility(ALREADY)
    had_on = _had_on(line)
    today = _today(now)
    if had_on is None or today < had_on:
        return Eligibility(TOO_EARLY)
    until = had_on + datetime.timedelta(days=WINDOW_DAYS)
    if today > until:
        return Eligibility(TOO_LATE, until)
    return Eligibility("", until)


def _has_review(line):
    return Review.objects.filter(order_line_id=line.pk).exists()


def check_may_review(line, user, *, now=None):
    """Raise ``ReviewRefused`` (403) or ``AlreadyReviewed`` (409) unless ``user`` may review ``line``."""
    result = eligibility(line, user, now=now)
    if result.code == ALREADY:
        raise AlreadyReviewed(result.code, result.message)
    if not result.allowed:
        raise ReviewRefused(result.code, result.message)
    return result
