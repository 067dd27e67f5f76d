"""Limits on group enquiries, by allauth's rate limiter (``ACCOUNT_RATE_LIMITS["group_enquiry"]``):
per client address and per contact number, as problem reports are counted (feedback.limits)."""

import hashlib

from allauth.core import ratelimit
from django.conf import settings
from django.utils.translation import gettext_lazy as _

ENQUIRE = "group_enquiry"
TOO_MANY_ENQUIRIES = _("You have sent several enquiries in a short time. Please try again in an hour.")


def _key(phone):
    # The cache keeps a digest of the number, not the number.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{phone}".encode()).hexdigest()[:32]


def may_enquire(request, phone="", *, dry_run=False):
    """Count one enquiry from this client and number; False once over the limit."""
    return ratelimit.consume(
        request, action=ENQUIRE, key=_key(phone) if phone else "anonymous", dry_run=dry_run
    )
