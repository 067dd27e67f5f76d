"""Limits on group enquiries, by allauth's rate limiter (``ACCOUNT_RATE_LIMITS["group_enquiry"]``):
per client address and per contact number, as problem reports are counted (feedback.limits);
quote pages, which are GETs, by a fixed window per client address (``GROUPS_QUOTE_LOOKUPS_PER_MINUTE``),
so quote links cannot be walked through."""

from allauth.core import ratelimit
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from town.limits import phone_digest, within_a_minute

ENQUIRE = "group_enquiry"
TOO_MANY_LOOKUPS = _("Too many requests from your connection. Please wait a minute and try again.")
TOO_MANY_UPLOADS = _("Too many roster uploads from your connection. Please wait a minute and try again.")
TOO_MANY_ENQUIRIES = _("You have sent several enquiries in a short time. Please try again in an hour.")


def may_enquire(request, phone="", *, dry_run=False):
    """Count one enquiry from this client and number; False once over the limit."""
    return ratelimit.consume(
        request, action=ENQUIRE, key=phone_digest(phone) if phone else "anonymous", dry_run=dry_run
    )


def may_look_up(request):
    """Count one quote page or API read for the client; False past the limit for this minute."""
    return within_a_minute(request, "groups:quote", getattr(settings, "GROUPS_QUOTE_LOOKUPS_PER_MINUTE", 30))


def may_upload_roster(request):
    """Count one roster upload for the client (each reads a file): False past
    ``GROUPS_ROSTER_UPLOADS_PER_MINUTE`` in this minute."""
    return within_a_minute(
        request, "groups:roster", getattr(settings, "GROUPS_ROSTER_UPLOADS_PER_MINUTE", 10)
    )
