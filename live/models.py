"""Live selling sessions (直播): a producer streams on a video platform and pins products at a
session price, sold from units set aside from the product's stock (``live.services``)."""

import re
from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    DOUYIN = "douyin", _("Douyin")
    KUAISHOU = "kuaishou", _("Kuaishou")
    WECHAT_CHANNELS = "wechat_channels", _("WeChat Channels")
    BILIBILI = "bilibili", _("Bilibili")
    OTHER = "other", _("Other")


# The hosts each platform's links live on (a subdomain of one counts too); "other" takes any
# https address.
PLATFORM_HOSTS = {
    Platform.DOUYIN: ("douyin.com", "iesdouyin.com"),
    Platform.KUAISHOU: ("kuaishou.com", "gifshow.com"),
    Platform.WECHAT_CHANNELS: ("channels.weixin.qq.com", "weixin.qq.com"),
    Platform.BILIBILI: ("bilibili.com", "b23.tv"),
}
MAX_SESSION_HOURS = 12


class Status(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    LIVE = "live", _("Live now")
    ENDED = "ended", _("Ended")


def check_platform_url(platform, url):
    """An https link on one of ``platform``'s hosts; raises ValidationError with the reason."""
    if not url:
        return
    parts = urlparse(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValidationError(_("Please give an https:// link."))
    hosts = PLATFORM_HOSTS.get(platform)
    host = parts.hostname.lower()
    if hosts and not any(host == h or host.endswith("." + h) for h in hosts):
        raise ValidationError(
            _("This is not a %(platform)s link (%(hosts)s).")
            % {"platform": Platform(platform).label, "hosts": ", ".join(hosts)}
        )


def bilibili_embed(url):
    """The player address for a Bilibili live room or video: the only platform here whose
    player may be framed by another site; the others open in their app."""
    if not url:
        return ""
    parts = urlparse(url)
    host = (parts.hostname or "").lower()
    room = re.fullmatch(r"/(\d+)/?", parts.path or "")
    if host == "live.bilibili.com" and room:
        return f"https://www.bilibili.com/blackboard/live/live-activity-player.html?cid={room.group(1)}&quality=0"
    video = re.search(r"/video/(BV[0-9A-Za-z]{10})", parts.path or "")
    if host.endswith("bilibili.com") and video:
        page = parse_qs(parts.query).get("p", ["1"])[0]
        page = page if page.isdigit() else "1"
        return f"https://player.bilibili.com/player.html?bvid={video.group(1)}&page={page}&autoplay=0"
    return ""


class LiveSessionQuerySet(models.QuerySet):
    def public(self):
        return self.filter(approved=True)

    def not_ended(self, now=None):
        return self.filter(ends_at__gt=now or timezone.now())


class LiveSession(models.Model):
    title = models.CharField(_("title"), max_length=120)
    producer = models.ForeignKey(
        "products.Producer",
        verbose_name=_("host producer"),
        on_delete=models.PROTECT,
        related_name="live_sessions",
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    stream_url = models.URLField(_("stream link"), max_length=500)
    replay_url = models.URLField(_("replay link"), max_length=500, blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"), db_index=True)
    description = models.TextField(_("description"), blank=True)
    # Farmers' sessions wait for staff, as their products do; staff's are approved as saved.
    approved = models.BooleanField(_("approved"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LiveSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="live_session_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("live_session", args=[self.pk])

    def clean(self):
        errors = {}
        for name in ("stream_url", "replay_url"):
            try:
                check_platform_url(self.platform, getattr(self, name))
            except ValidationError as exc:
                errors[name] = exc.messages
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                errors["ends_at"] = [_("The session must end after it starts.")]
            elif (self.ends_at - self.starts_at).total_seconds() > MAX_SESSION_HOURS * 3600:
                errors["ends_at"] = [_("A session lasts %(n)d hours at most.") % {"n": MAX_SESSION_HOURS}]
        if errors:
            raise ValidationError(errors)

    def status(self, now=None):
        now = now or timezone.now()
        if now < self.starts_at:
            return Status.UPCOMING
        if now < self.ends_at:
            return Status.LIVE
        return Status.ENDED

    def is_live(self, now=None):
        return self.status(now) == Status.LIVE

    @property
    def embed_url(self):
        return bilibili_embed(self.stream_url) if self.platform == Platform.BILIBILI else ""

    @property
    def replay_embed_url(self):
        return bilibili_embed(self.replay_url) if self.platform == Platform.BILIBILI else ""


class PinnedProduct(models.Model):
    """A product sold in a session at ``price_fen``, from ``stock`` units set aside from the
    shop's stock (``set_aside``, a claim of the reservation core) while the session runs."""

    # PROTECT: a session is unpinned first (its units go back to the shop), never deleted with
    # units still set aside for it.
    session = models.ForeignKey(
        LiveSession, verbose_name=_("session"), on_delete=models.PROTECT, related_name="pins"
    )
    product = models.ForeignKey(
        "products.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="live_pins"
    )
    price_fen = models.PositiveIntegerField(_("session price (fen)"))
    stock = models.PositiveIntegerField(_("session stock"))
    set_aside = models.ForeignKey(
        "orders.Reservation",
        verbose_name=_("units set aside"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("pinned product")
        verbose_name_plural = _("pinned products")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "product"], name="live_pin_once_per_session"),
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="live_pin_price_positive"),
            models.CheckConstraint(condition=Q(stock__gt=0), name="live_pin_stock_positive"),
        ]

    def __str__(self):
        return f"{self.session} · {self.product}"
