from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from .roles import VISITORS


class AccountAdapter(DefaultAccountAdapter):
    """Every new account is a visitor; other roles are given by staff."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # allauth's "Try again later" does not say how long; the account lock lasts minutes.
        "too_many_login_attempts": _("Too many log-in attempts. Please wait a few minutes and try again."),
    }

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            group, _created = Group.objects.get_or_create(name=VISITORS)
            user.groups.add(group)
        return user

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth keys an account's failed log-ins by the request's host (port included) and the
        # login. The client picks the Host header among ALLOWED_HOSTS and any port, so each new
        # one would start a fresh count: here one account is one key, whatever the host.
        return credentials.get("email", credentials.get("username", "")).lower()
