"""A person's own data under PIPL: downloading it (one JSON document) and deleting their account.

accounts knows no orders or produce (the layers in pyproject.toml), so each app that keeps
personal data registers a ``Section`` here from its AppConfig.ready (orders, products,
homestays): what it exports, why it may refuse a deletion (a booking still to come), and how it
erases. accounts contributes the profile itself.

Deletion keeps the user row, anonymised and switched off, rather than deleting it: orders point
at it (``on_delete=PROTECT``) and must be kept for the accounts (the law keeps sales records), and
the reports count buyers by that row; a fresh placeholder per deletion would keep the figures too
but loses nothing more. Everything that says who the person was is removed: names, numbers,
addresses, notes, the e-mail addresses and the password. The number and address are free for a
new account at once.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import logout
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Section:
    """One app's part. ``export(user)`` → JSON-able data; ``blockers(user)`` → reasons (text) the
    account cannot be deleted yet; ``erase(user)`` removes the personal fields (inside the
    deletion's transaction, before the user row is anonymised)."""

    name: str
    export: Callable
    blockers: Callable | None = None
    erase: Callable | None = None


_sections: dict[str, Section] = {}


def register(section: Section):
    _sections[section.name] = section


def sections():
    """The profile first, then each app's part."""
    return [_profile_section(), *(_sections[name] for name in sorted(_sections))]


class DeletionRefused(Exception):
    """The account cannot be deleted yet; ``reasons`` say why and what to do."""

    def __init__(self, reasons):
        self.reasons = list(reasons)
        super().__init__("; ".join(str(r) for r in self.reasons))


# --- download ---------------------------------------------------------------------------------


def export_for(user, *, now=None):
    """Everything we keep about ``user`` that is theirs, as one JSON-able dict."""
    data = {
        "format": FORMAT_VERSION,
        "exported_at": (now or timezone.now()).isoformat(),
    }
    for section in sections():
        data[section.name] = section.export(user)
    return data


# --- deletion ---------------------------------------------------------------------------------


def deletion_blockers(user):
    """Why ``user`` cannot delete their account now ([] when they can)."""
    reasons = []
    if user.is_staff or user.is_superuser:
        reasons.append(_("Staff accounts are closed by the tourism office, not here."))
    for section in sections():
        if section.blockers is not None:
            reasons.extend(section.blockers(user))
    return reasons


def delete_account(user, *, request=None):
    """Erase ``user``'s personal data and switch the account off, or raise DeletionRefused (nothing
    changed). Orders stay, with their amounts, without the person's details. Logs ``request``'s
    session out."""
    from .models import User

    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        reasons = deletion_blockers(locked)
        if reasons:
            raise DeletionRefused(reasons)
        # The apps' parts first, the profile (which switches the account off) last.
        for section in [*sections()[1:], sections()[0]]:
            if section.erase is not None:
                section.erase(locked)
    if request is not None:
        logout(request)
    user.refresh_from_db()
    return user


# --- the profile (accounts' own section) ------------------------------------------------------


def _profile_section():
    return Section("profile", export=_export_profile, erase=_erase_profile)


def _export_profile(user):
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    from .models import AppToken, WeChatIdentity

    return {
        "email": user.email,
        "display_name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "contact_phone": user.phone,
        "mobile_number": user.phone_number,
        "mobile_number_verified": user.phone_verified,
        "language": user.language,
        "date_joined": user.date_joined.isoformat() if user.date_joined else None,
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "notices_by_sms": user.notify_by_sms,
        "notices_by_email": user.notify_by_email,
        "signed_in_devices": [
            {
                "name": token.name,
                "created_at": token.created_at.isoformat(),
                "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
                "expires_at": token.expires_at.isoformat(),
                "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
            }
            for token in AppToken.objects.filter(user=user).order_by("pk")
        ],
        # What WeChat told us at log-in (nickname, picture, region) is the person's too.
        "wechat_accounts": [
            {"uid": account.uid, "profile": account.extra_data}
            for account in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
        "wechat_mini_program": [
            {"openid": identity.openid, "unionid": identity.unionid}
            for identity in WeChatIdentity.objects.filter(user=user).order_by("pk")
        ],
    }


def _erase_profile(user):
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    from .models import AppToken, WeChatIdentity

    EmailAddress.objects.filter(user=user).delete()
    # Signed-in apps and WeChat links go: nobody may log in to the emptied account any more, and
    # the WeChat account is free to link to a new one.
    AppToken.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    WeChatIdentity.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.email = None
    user.display_name = ""
    user.first_name = ""
    user.last_name = ""
    user.phone = ""
    user.phone_number = None
    user.phone_verified = False
    user.language = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
