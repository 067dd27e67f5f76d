"""Cancellation policies: how much of a line comes back when the visitor cancels, by time left.

Table-driven: each policy is a list of (at least this long before the start → this per cent),
tried in order; the first that holds wins, else nothing comes back. "Until 24 h before" includes
the 24th hour itself: cancelling at exactly 24 h before check-in still gets the full refund.
The start is the homestay's check-in time on the arrival day, in the town's time zone (the order
line keeps it as ``starts_at``).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FLEXIBLE, MODERATE, STRICT = "flexible", "moderate", "strict"


class CancellationPolicy(models.TextChoices):
    """The policies a homestay or an experience chooses from (``POLICIES`` decides the refunds)."""

    FLEXIBLE = FLEXIBLE, _("Flexible")
    MODERATE = MODERATE, _("Moderate")
    STRICT = STRICT, _("Strict")


POLICIES = {
    FLEXIBLE: [(timedelta(hours=24), 100)],
    MODERATE: [(timedelta(days=5), 100), (timedelta(0), 50)],
    STRICT: [(timedelta(days=7), 50)],
}
# Lines without a policy of their own (products, say) follow this one.
DEFAULT_POLICY = MODERATE


@dataclass(frozen=True)
class RefundDecision:
    percent: int
    cancellable: bool
    reason: str = ""


def refund_percent(policy, starts_at, now=None) -> RefundDecision:
    """The share of the price refunded when cancelling at ``now`` a line starting at ``starts_at``.

    Once the start has passed the visitor can no longer cancel (staff still can).
    """
    now = now or timezone.now()
    if starts_at is None:
        return RefundDecision(100, True)
    left = starts_at - now
    if left <= timedelta(0):
        return RefundDecision(0, False, str(_("This booking has already started.")))
    for at_least, percent in POLICIES.get(policy, POLICIES[DEFAULT_POLICY]):
        if left >= at_least:
            return RefundDecision(percent, True)
    return RefundDecision(0, True)


def refund_for_lines(lines, now=None) -> tuple[int, bool, str]:
    """(fen to refund, cancellable, reason) for order lines cancelled together at ``now``."""
    total = 0
    for line in lines:
        decision = refund_percent(line.cancellation_policy, line.starts_at, now)
        if not decision.cancellable:
            return 0, False, decision.reason
        total += line.total_fen * decision.percent // 100
    return total, True, ""
