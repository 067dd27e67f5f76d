"""Abuse reports on reviews are counted per client address by allauth's rate limiter
(``ACCOUNT_RATE_LIMITS["review_report"]``, settings), so a script cannot send every published
review back to the queue."""

from allauth.core import ratelimit
from django.utils.translation import gettext_lazy as _

REPORT = "review_report"

TOO_MANY_REPORTS = _("You have reported several reviews in a short time. Please try again in an hour.")


def may_report(request, *, dry_run=False):
    return ratelimit.consume(request, action=REPORT, dry_run=dry_run)
