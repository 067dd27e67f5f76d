"""A first log-in remembers the language the person uses (accounts.services.record_language)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import record_language


@receiver(user_logged_in, dispatch_uid="accounts_record_language")
def remember_language(sender, request, user, **kwargs):
    # Every door logs in through django's login(): allauth's pages (also right after sign-up) and
    # the phone API. LANGUAGE_CODE is what LocaleMiddleware (or the API) chose for the request; a
    # request without it (a test client's force_login, a script) says nothing about the person.
    # Only a person with no language yet gets one here: one chosen on the account page (or kept
    # at sign-up) is not changed by a log-in on the other language's page.
    language = getattr(request, "LANGUAGE_CODE", "") if request is not None else ""
    if language and not user.language:
        record_language(user, language)
