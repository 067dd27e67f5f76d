"""View guards for the parts of the site that need a confirmed e-mail address."""

from allauth.account.decorators import verified_email_required as _allauth_verified_email_required

__all__ = ["verified_email_required"]


def verified_email_required(function=None, login_url=None, redirect_field_name="next"):
    """Logged in with a verified address, else log in first or get a new verification e-mail.

    allauth's decorator does the work; this is the one name the project's views import, so the
    rule can change in one place (checkout, farmer dashboard).
    """
    return _allauth_verified_email_required(
        function, login_url=login_url, redirect_field_name=redirect_field_name
    )
