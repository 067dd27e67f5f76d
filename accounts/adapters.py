from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.auth.models import Group
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from town.sites import email_subject, site_identity

from .roles import VISITORS


class AccountAdapter(DefaultAccountAdapter):
    """Every new account is a visitor; other roles are given by staff."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # allauth's "Try again later" does not say how long; the account lock lasts minutes.
        "too_many_login_attempts": _("Too many log-in attempts. Please wait a few minutes and try again."),
    }

    def format_email_subject(self, subject):
        return email_subject(force_str(subject), allauth_context.request)

    def send_mail(self, template_prefix, email, context):
        # allauth names the site after the request's host ("来自127.0.0.1:8101的 Hello!"): the
        # e-mails name the Wagtail site instead.
        site = site_identity(allauth_context.request)
        context = {**context, "current_site": site, "site_name": site.name}
        return super().send_mail(template_prefix, email, context)

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
