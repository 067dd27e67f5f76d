"""Limits on problem reports, counted in the shared cache, so a script can neither flood the
office with reports nor walk through status links: reports by allauth's rate limiter
(``ACCOUNT_RATE_LIMITS["problem_report"]``, settings); status pages, which are GETs (allauth
counts no GET), by a fixed window per client address as ``accounts.phone_codes`` counts codes
(``FEEDBACK_STATUS_LOOKUPS_PER_MINUTE``)."""

from allauth.core import ratelimit
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from town.limits import phone_digest, within_a_minute

SUBMIT = "problem_report"

TOO_MANY_REPORTS = _("You have sent several reports in a short time. Please try again in an hour.")
TOO_MANY_LOOKUPS = _("Too many requests from your connection. Please wait a minute and try again.")


def may_submit(request, phone="", *, dry_run=False):
    """Count one report from this client (and this number or account); False once over the limit."""
    user = request.user if request.user.is_authenticated else None
    # One count per person: the number given, else the account (a visitor without either is
    # refused by the form before this).
    key = phone_digest(phone) if phone else f"user:{user.pk}" if user else "anonymous"
    return ratelimit.consume(request, action=SUBMIT, key=key, dry_run=dry_run)


def may_look_up(request):
    """Count one status page for the client; False past the limit for this minute."""
    return within_a_minute(
        request, "feedback:status", getattr(settings, "FEEDBACK_STATUS_LOOKUPS_PER_MINUTE", 30)
    )
