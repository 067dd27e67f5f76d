"""Write paths for accounts: giving roles, and the verified-contact rule (a mobile number or an
e-mail address) that booking and selling depend on."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
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


class PhoneTaken(Exception):
    """The number is verified on another account: it stays there."""

    message = _(
        "This mobile number is already verified on another Tianyuan account. Log in with it by code "
        "to use that account, or ask the tourism office for help."
    )


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


def set_notice_channels(user, *, sms, email):
    """Keep how notices reach ``user`` (accounts.notices). A way they have no contact for keeps
    its setting, so adding a number or an address later finds it as it was (on by default)."""
    fields = []
    if user.has_verified_phone:
        user.notify_by_sms = bool(sms)
        fields.append("notify_by_sms")
    if user.email:
        user.notify_by_email = bool(email)
        fields.append("notify_by_email")
    if fields:
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
    """The account of ``phone`` (E.164), just proven by a code with nothing else known about who
    entered it (the JSON API): found, or created as a visitor's; its number marked verified
    (see _prove_locked for what that takes from an account set up by someone else). Returns
    (user, created)."""
    from .models import User

    with transaction.atomic():
        user = User.objects.select_for_update().filter(phone_number=phone).first()
        if user is None:
            return _new_phone_account(phone)
        return _prove_locked(user, phone, by_password_holder=False)


def prove_phone(user, phone, *, by_password_holder):
    """``phone``, ``user``'s number, was just proven by a code: returns (account, created), the
    account whoever entered the code is now in, which is ``user`` unless the number left it for a
    fresh one (see _prove_locked). ``by_password_holder``: the code was entered by whoever set the
    account's password (the sign-up's own code, or a logged-in user's), not at a log-in by code."""
    from .models import User

    with transaction.atomic():
        locked = User.objects.select_for_update().filter(pk=user.pk, phone_number=phone).first()
        if locked is None:  # another code for the number moved it meanwhile
            return (user, False) if by_password_holder else user_for_verified_phone(phone)
        return _prove_locked(locked, phone, by_password_holder=by_password_holder)


def _prove_locked(user, phone, *, by_password_holder):
    """prove_phone with ``user``'s row locked: the one rule for the web's pages and the API.

    Anyone can type a number into the sign-up form with a password and an address and never
    enter the code. Unless the code was entered by whoever holds the account's password:

    * an account with another verified way in (its e-mail address) was proven by that address,
      not by this number: whoever set it up may not hold the number (a stranger, or its owner
      mistyping it). Neither may reach the other's account, so the number leaves it (it keeps its
      address, password and bookings) and whoever entered the code gets a fresh account for it;
    * an account with no other verified way in is the number's: its owner takes it over, and a
      password and unproven address set before the number was proven are taken away, as the
      stranger could otherwise log in with that password, or reset it by that address."""
    from allauth.account.models import EmailAddress

    if user.phone_verified:
        return user, False
    fields = ["phone_verified"]
    if not by_password_holder:
        if user.has_verified_email:
            _detach_phone(user, phone)
            return _new_phone_account(phone)
        if user.has_usable_password():
            user.set_unusable_password()
            fields.append("password")
        EmailAddress.objects.filter(user=user, verified=False).delete()
        if user.email:
            user.email = None
            fields.append("email")
    user.phone_verified = True
    user.save(update_fields=fields)
    return user, False


def take_phone(user, phone):
    """``user``, logged in, just proved ``phone`` (E.164), a number they do not hold yet, with a
    code sent to it (changing or adding their log-in number): it becomes their verified number.

    The proven owner wins over an account that only typed the number in (held unverified: it
    loses it, as in _prove_locked); an account on which the number is verified keeps it, since
    its owner proved it too, and PhoneTaken is raised (nothing changes). Returns ``user``."""
    from .models import User

    with transaction.atomic():
        # Both rows locked in primary-key order: two people taking numbers from each other
        # cannot deadlock.
        rows = list(
            User.objects.select_for_update()
            .filter(models.Q(pk=user.pk) | models.Q(phone_number=phone))
            .order_by("pk")
        )
        holder = next((row for row in rows if row.pk != user.pk), None)
        mine = next(row for row in rows if row.pk == user.pk)
        if holder is not None:
            if holder.phone_verified:
                raise PhoneTaken()
            _detach_phone(holder, phone)
        fields = ["phone_number", "phone_verified"]
        if not mine.phone or mine.phone == mine.phone_number:  # the contact number follows the log-in one
            mine.phone = phone
            fields.append("phone")
        mine.phone_number = phone
        mine.phone_verified = True
        mine.save(update_fields=fields)
    user.refresh_from_db(fields=fields)
    return user


def _detach_phone(user, phone):
    user.phone_number = None
    user.phone_verified = False
    fields = ["phone_number", "phone_verified"]
    if user.phone == phone:  # copied as the contact number at sign-up (AccountAdapter.set_phone)
        user.phone = ""
        fields.append("phone")
    user.save(update_fields=fields)


def _new_phone_account(phone):
    """A visitor's account for ``phone``, just proven (no password, no address): (user, True), or
    (the account that got the number first, False) when another request made one meanwhile."""
    from .models import User

    try:
        with transaction.atomic():
            user = User(phone_number=phone, phone=phone, phone_verified=True)
            user.set_unusable_password()
            user.save()
            assign_role(user, VISITORS)
            return user, True
    except IntegrityError:  # another request gave the number an account meanwhile: that one
        found = User.objects.select_for_update().get(phone_number=phone)
        return _prove_locked(found, phone, by_password_holder=False)
