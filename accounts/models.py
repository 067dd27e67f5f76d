"""The user: an e-mail address or a mobile number (or both) is the login; there is no username."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext_lazy as _

from .privacy import mask_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email and not extra_fields.get("phone_number"):
            raise ValueError("An e-mail address or a mobile number is required.")
        email = self.normalize_email(email).lower() if email else None
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    # NULL, not "", for an account signed up by phone: unique ignores NULLs.
    email = models.EmailField(_("e-mail address"), unique=True, null=True, blank=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    # How hosts reach the guest (free text, any country); the sign-in number is phone_number.
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # The mobile number the account signs in with, in E.164 (+8613900000000); allauth reads and
    # writes it through accounts.adapters (get_phone / set_phone).
    phone_number = models.CharField(_("mobile number"), max_length=16, unique=True, null=True, blank=True)
    phone_verified = models.BooleanField(_("mobile number verified"), default=False)
    # The language we write to them in (notices to hosts, guides and farmers, mail not tied to an
    # order): the one they last used the site in, or chose on their account page; "": the town's.
    language = models.CharField(_("language"), max_length=16, blank=True, choices=settings.LANGUAGES)
    # How notices reach them (chosen on the account page; accounts.notices decides): each is used
    # where the contact exists, and someone who turned both off still hears by one of them.
    notify_by_sms = models.BooleanField(_("notices by text message"), default=True)
    notify_by_email = models.BooleanField(_("notices by e-mail"), default=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        permissions = [("view_full_phone", _("Can see phone numbers in full"))]

    def __str__(self):
        # The name staff lists and logs show: a number stands in for a name only masked (PIPL).
        return self.display_name or self.email or mask_phone(self.phone_number) or f"#{self.pk}"

    def save(self, *args, **kwargs):
        # Forms and allauth hand over "" for "no address"; only NULL may repeat under unique.
        if not self.email:
            self.email = None
        if not self.phone_number:
            self.phone_number = None
        # set_password() leaves the new password here until the save (Django's own hook); a hash
        # upgraded at log-in does not, so only a real change of password counts.
        new_password = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if new_password:
            from .tokens import revoke_all_tokens  # tokens imports this module

            revoke_all_tokens(self)

    def get_full_name(self):
        return self.display_name or super().get_full_name() or self.email or mask_phone(self.phone_number)

    def get_short_name(self):
        if self.display_name or self.first_name:
            return self.display_name or self.first_name
        if self.email:
            return self.email.split("@")[0]
        return mask_phone(self.phone_number)

    @property
    def notice_language(self):
        """The language to write to this person in: theirs when set, else the town's default."""
        try:
            return get_supported_language_variant(self.language or settings.LANGUAGE_CODE)
        except LookupError:  # a language the site no longer offers
            return settings.LANGUAGE_CODE

    @property
    def has_verified_email(self):
        """Booking and selling need a verified address (allauth keeps the verification)."""
        from allauth.account.models import EmailAddress

        if not self.email:
            return False
        return EmailAddress.objects.filter(user=self, email__iexact=self.email, verified=True).exists()

    @property
    def has_verified_phone(self):
        return bool(self.phone_number and self.phone_verified)

    @property
    def has_verified_contact(self):
        """What booking and selling need: a mobile number or an e-mail address proven to be theirs."""
        return self.has_verified_phone or self.has_verified_email


class AppToken(models.Model):
    """A key for our JSON API sent as ``Authorization: Bearer …`` by an app or the WeChat
    mini-program, instead of a session cookie (accounts/tokens.py). Only its SHA-256 is kept:
    the token itself is shown once, when issued. (Not Wagtail's APIToken, which is for Wagtail's
    own API and never expires.)"""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_tokens", verbose_name=_("user")
    )
    # Tokens are 256 random bits, so a plain digest is as good as a slow password hash here.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(_("device"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Written at most once a minute (tokens.LAST_USED_EVERY), not on every request.
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("app token")
        verbose_name_plural = _("app tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["expires_at"], name="accounts_apptoken_expires")]

    def __str__(self):
        return f"{self.name or _('app token')} ({self.user})"


class WeChatIdentity(models.Model):
    """A WeChat user (their openid in one of our WeChat apps) and the account it logs into. The
    mini-program's log-in (accounts/wechat_miniprogram.py) keeps its openids here; the WeChat
    session key that comes with them is never stored."""

    class Kind(models.TextChoices):
        MINIPROGRAM = "miniprogram", _("WeChat mini-program")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="wechat_identities",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # An openid is per WeChat app; a unionid is the same person across the apps of one
    # WeChat Open Platform account (only sent when the app is bound to one).
    openid = models.CharField(max_length=128)
    unionid = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("WeChat identity")
        verbose_name_plural = _("WeChat identities")
        constraints = [
            models.UniqueConstraint(fields=["kind", "openid"], name="accounts_wechat_unique_openid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.openid}"
