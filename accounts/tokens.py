"""App tokens: what an app or the WeChat mini-program sends as ``Authorization: Bearer …`` to the
JSON API instead of a session cookie (accounts/api.py checks them).

A token is shown once, when issued (a phone log-in with ``"token": true``, the mini-program's
log-in); only its SHA-256 is stored. It lasts ``API_TOKEN_DAYS``, can be revoked from the account
page, stops working when the account's password changes (as other sessions do, whoever changed
it: the visitor, a reset link or staff), and with its account (deleted: its tokens go with it;
switched off: refused).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AppToken

# A visible prefix, so a leaked token is recognisable (secret scanners, logs).
PREFIX = "ty_"
# last_used_at is a hint for the account page, not an audit log: one write a minute at most.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenRejected(Exception):
    """The token cannot be used: the API answers 401 with ``message`` and ``code``."""

    def __init__(self, code, message):
        self.code = code
        self.message = message
        super().__init__(message)


UNKNOWN = ("token_invalid", _("This token is not valid (or its account was deleted). Please log in again."))
EXPIRED = ("token_expired", _("This token has expired. Please log in again."))
REVOKED = (
    "token_revoked",
    _("This token was signed out (on the account page, or by a new password). Please log in again."),
)
INACTIVE = ("account_inactive", _("This account is switched off. Please contact the tourism office."))


def token_digest(raw):
    """What is stored of a token (SHA-256, hex): the token itself is never kept. Other secrets
    handed to machines (scenic's parking counters) are stored the same way."""
    return hashlib.sha256(raw.encode()).hexdigest()


_digest = token_digest


def issue_token(user, *, name=""):
    """A new token for ``user``, labelled ``name`` (the device): returns the raw token, which is
    not kept anywhere, so the caller hands it over now or never."""
    raw = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    AppToken.objects.create(
        user=user,
        key_hash=_digest(raw),
        name=name[:80],
        created_at=now,
        expires_at=now + timedelta(days=settings.API_TOKEN_DAYS),
    )
    return raw


def user_for_token(raw):
    """The account ``raw`` logs into; raises TokenRejected (unknown, expired, revoked, account
    switched off). Notes the use, at most once a minute."""
    token = AppToken.objects.select_related("user").filter(key_hash=_digest(raw)).first()
    if token is None:
        raise TokenRejected(*UNKNOWN)
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRejected(*REVOKED)
    if token.expires_at <= now:
        raise TokenRejected(*EXPIRED)
    if not token.user.is_active:
        raise TokenRejected(*INACTIVE)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        AppToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def live_tokens(user):
    """The user's tokens that still work, newest first (the account page's "signed-in devices")."""
    return AppToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now())


def revoke_token(user, token_id):
    """Sign ``user``'s token ``token_id`` out; raises AppToken.DoesNotExist for a token that is
    not theirs or no longer works."""
    updated = live_tokens(user).filter(pk=token_id).update(revoked_at=timezone.now())
    if not updated:
        raise AppToken.DoesNotExist(token_id)


def revoke_all_tokens(user):
    """Sign every app of ``user`` out (their password changed). Returns how many were live."""
    return AppToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def purge_dead_tokens():
    """Delete tokens expired or revoked more than a day ago (the day keeps "revoked" / "expired"
    as the answer an app gets shortly after). Returns how many went."""
    cutoff = timezone.now() - timedelta(days=1)
    deleted, _per_model = AppToken.objects.filter(expires_at__lt=cutoff).delete()
    revoked, _per_model = AppToken.objects.filter(revoked_at__lt=cutoff).delete()
    return deleted + revoked
