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
from django.utils.translation import ngettext

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
    # Why: the rule that gave this share ("Full refund: at least 24 hours before the start
    # (flexible policy)."), or why the line can no longer be cancelled.
    reason: str = ""


def refund_percent(policy, starts_at, now=None) -> RefundDecision:
    """The share of the price refunded when cancelling at ``now`` a line starting at ``starts_at``.

    Once the start has passed the visitor can no longer cancel (staff still can).
    """
    now = now or timezone.now()
    if starts_at is None:
        return RefundDecision(100, True, str(_("Full refund: it has not started.")))
    left = starts_at - now
    if left <= timedelta(0):
        return RefundDecision(0, False, str(_("This booking has already started.")))
    tiers = POLICIES.get(policy, POLICIES[DEFAULT_POLICY])
    for index, (at_least, percent) in enumerate(tiers):
        if left >= at_least:
            if at_least > timedelta(0):
                when = _("at least %(time)s before the start") % {"time": _span(at_least)}
            else:  # the last tier reaches the start: it holds because the one before did not
                when = _("less than %(time)s before the start") % {"time": _span(tiers[index - 1][0])}
            return RefundDecision(percent, True, _explained(percent, when, policy))
    when = _("less than %(time)s before the start") % {"time": _span(tiers[-1][0])}
    return RefundDecision(0, True, _explained(0, when, policy))


def _span(delta) -> str:
    days, seconds = delta.days, delta.seconds
    if days > 1 and not seconds:  # "24 hours", as the policies are worded, rather than "1 day"
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    hours = days * 24 + seconds // 3600
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def _explained(percent, when, policy) -> str:
    if percent >= 100:
        share = _("Full refund")
    elif percent <= 0:
        share = _("No refund")
    else:
        share = _("%(percent)d%% refund") % {"percent": percent}
    known = policy if policy in POLICIES else DEFAULT_POLICY
    return str(
        _("%(share)s: %(when)s (%(policy)s policy).")
        % {"share": share, "when": when, "policy": CancellationPolicy(known).label.lower()}
    )


def refund_for_lines(lines, now=None, terms=None) -> tuple[int, bool, str]:
    """(fen to refund, cancellable, reason) for order lines cancelled together at ``now``.

    ``terms``: {line pk: ``RefundDecision``} as the lines' kinds decide them
    (``orders.lines.cancellation_terms``); without it, each line's policy by the time left."""
    total = 0
    for line in lines:
        if terms is not None:
            decision = terms[line.pk]
        else:
            decision = refund_percent(line.cancellation_policy, line.starts_at, now)
        if not decision.cancellable:
            return 0, False, decision.reason
        total += line.total_fen * decision.percent // 100
    return total, True, ""
