"""Log-ins remember the language the person is using (accounts.services.record_language)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import record_language


@receiver(user_logged_in, dispatch_uid="accounts_record_language")
def remember_language(sender, request, user, **kwargs):
    # Every door logs in through django's login(): allauth's pages (also right after sign-up) and
    # the phone API. LANGUAGE_CODE is what LocaleMiddleware (or the API) chose for the request; a
    # request without it (a test client's force_login, a script) says nothing about the person.
    language = getattr(request, "LANGUAGE_CODE", "") if request is not None else ""
    if language:
        record_language(user, language)
