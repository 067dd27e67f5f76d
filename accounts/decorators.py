"""View guards for the parts of the site that need a confirmed mobile number or e-mail address."""

from functools import wraps

from allauth.account.decorators import verified_email_required as _allauth_verified_email_required

__all__ = ["verified_email_required"]


def verified_email_required(function=None, login_url=None, redirect_field_name="next"):
    """Logged in with a verified mobile number or address, else log in first or get a new
    verification e-mail (allauth's decorator does that part).

    This is the one name the project's views import, so the rule can change in one place
    (checkout, farmer dashboard). Phone accounts are verified by the code that logged them in.
    """

    def decorator(view):
        guarded = _allauth_verified_email_required(
            view, login_url=login_url, redirect_field_name=redirect_field_name
        )

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.is_authenticated and request.user.has_verified_phone:
                return view(request, *args, **kwargs)
            return guarded(request, *args, **kwargs)

        return wrapped

    return decorator(function) if function else decorator
