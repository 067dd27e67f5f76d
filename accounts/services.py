"""Write paths for accounts: giving roles, and the verified-contact rule (a mobile number or an
e-mail address) that booking and selling depend on."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext_lazy as _

from .roles import ROLE_LABELS, VISITORS


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


def update_profile(user, *, display_name, phone, language=None):
    """``language``: the one chosen on the account page ("": the town's); None leaves it."""
    user.display_name = display_name
    user.phone = phone
    fields = ["display_name", "phone"]
    if language is not None:
        user.language = language
        fields.append("language")
    user.full_clean(validate_unique=False)
    user.save(update_fields=fields)
    return user


def record_language(user, language):
    """Keep the language the person is using the site in (at sign-up and a first log-in), so notices
    that no order's language covers reach them in it. A language the site does not offer, or
    none (a request LocaleMiddleware did not see), leaves what was kept."""
    from .models import User

    try:
        language = get_supported_language_variant(language or "")
    except LookupError:
        return
    if language == user.language:
        return
    user.language = language
    if user.pk:
        User.objects.filter(pk=user.pk).update(language=language)


def user_for_verified_phone(phone):
    """The account of ``phone`` (E.164), just proven by a code: found, or created as a visitor's
    (no password, no e-mail address); its number marked verified. Returns (user, created)."""
    from .models import User

    with transaction.atomic():
        user = User.objects.select_for_update().filter(phone_number=phone).first()
        created = False
        if user is None:
            try:
                with transaction.atomic():  # two first log-ins at once: one creates, one finds
                    user = User(phone_number=phone, phone=phone, phone_verified=True)
                    user.set_unusable_password()
                    user.save()
                    assign_role(user, VISITORS)
                    created = True
            except IntegrityError:
                user = User.objects.select_for_update().get(phone_number=phone)
        if not user.phone_verified:
            mark_phone_proven(user, by_password_holder=False)
    return user, created


def mark_phone_proven(user, *, by_password_holder):
    """Mark the account's number verified, its owner having just entered a code sent to it.

    Anyone can type a number into the sign-up form with a password (and an address) and never
    enter the code. So unless the code was entered by whoever holds the account's password
    (``by_password_holder``: the sign-up's own code, or a logged-in user's), a password and an
    unproven e-mail address set before the number was proven are taken away: the stranger could
    otherwise log in with that password, or reset it by that address. An account whose address
    is verified keeps both: it was proven by its address, whoever holds it."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        user.phone_verified = True
        fields = ["phone_verified"]
        if not by_password_holder and not user.has_verified_email:
            if user.has_usable_password():
                user.set_unusable_password()
                fields.append("password")
            EmailAddress.objects.filter(user=user, verified=False).delete()
            if user.email:
                user.email = None
                fields.append("email")
        user.save(update_fields=fields)
