"""Write paths for accounts: giving roles, and the verified-contact rule (a mobile number or an
e-mail address) that booking and selling depend on."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .roles import ROLE_LABELS


class UnverifiedEmail(PermissionDenied):
    """The user has confirmed neither a mobile number nor an e-mail address yet."""

    message = _(
        "Please confirm your e-mail address or your mobile number first: "
        "we sent you a link or a code when you signed up."
    )

    def __init__(self, message=None):
        self.message = message or self.message
        super().__init__(self.message)


class UnknownRole(ValueError):
    pass


def assign_role(user, role):
    """Puts the user in the role's group; the group and its permissions come from the migrations."""
    if role not in ROLE_LABELS:
        raise UnknownRole(role)
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    return group


def require_verified_email(user):
    """Raises UnverifiedEmail unless the user is logged in with a verified mobile number or
    address (the name stays: checkout and the farmers' sign-up call it)."""
    if not (user.is_authenticated and user.has_verified_contact):
        raise UnverifiedEmail()


def update_profile(user, *, display_name, phone):
    user.display_name = display_name
    user.phone = phone
    user.full_clean(validate_unique=False)
    user.save(update_fields=["display_name", "phone"])
    return user
