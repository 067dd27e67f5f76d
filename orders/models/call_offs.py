"""The organiser's call-offs, kept for the report: what was called off (a tour slot, an event's
ticket types, a homestay's nights), by whom, when and why, the lines it cancelled and, per
payment, what went back through the provider and what staff must (or did) hand back by hand."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CallOff(models.Model):
    """One thing called off. Calling the same thing off again (a double submit, a run that finishes
    busy orders) adds to this row: ``key`` names it (kind, rows, nights)."""

    key = models.CharField(_("key"), max_length=255, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16)
    object_ids = models.JSONField(_("object ids"), default=list)
    # Stays: the nights [first_night, end_date) closed; empty for slots and events.
    first_night = models.DateField(_("first night"), null=True, blank=True)
    end_date = models.DateField(_("day after the last night"), null=True, blank=True)
    title = models.CharField(_("what"), max_length=255)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called off by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("called off at"), auto_now_add=True, db_index=True)
    # Stays: staff reopened nights it closed (the homestay's closure removed); the last time.
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    lines = models.ManyToManyField(
        "orders.OrderLine", verbose_name=_("lines cancelled"), related_name="call_offs", blank=True
    )

    class Meta:
        verbose_name = _("call-off")
        verbose_name_plural = _("call-offs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title


class CallOffRefundStatus(models.TextChoices):
    PENDING = "pending", _("Being refunded")
    REFUNDED = "refunded", _("Refunded through the provider")
    FAILED = "failed", _("Refund failed: pay it back by hand")
    TO_HAND_BACK = "to_hand_back", _("Paid on site: hand it back")
    HANDED_BACK = "handed_back", _("Paid back by hand")


# What staff still have to pay back themselves.
BY_HAND = (CallOffRefundStatus.FAILED, CallOffRefundStatus.TO_HAND_BACK)


class CallOffRefund(models.Model):
    """What a call-off gives back on one payment of one order, and how it went."""

    call_off = models.ForeignKey(
        CallOff, verbose_name=_("call-off"), on_delete=models.CASCADE, related_name="refunds"
    )
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="call_off_refunds"
    )
    payment = models.ForeignKey(
        "orders.Payment", verbose_name=_("payment"), on_delete=models.PROTECT, related_name="call_off_refunds"
    )
    provider = models.CharField(_("provider"), max_length=32)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    status = models.CharField(
        _("status"), max_length=16, choices=CallOffRefundStatus.choices, default=CallOffRefundStatus.PENDING
    )
    failure = models.CharField(_("why it failed"), max_length=500, blank=True)
    refund = models.ForeignKey(
        "orders.Refund",
        verbose_name=_("refund"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handed_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid back by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handed_back_at = models.DateTimeField(_("paid back at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("call-off refund")
        verbose_name_plural = _("call-off refunds")
        ordering = ["call_off", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="handed_back") | Q(handed_back_at__isnull=False),
                name="orders_calloffrefund_handed_back_when",
            ),
        ]

    def __str__(self):
        return f"{self.call_off} · {self.order_id} · {self.amount_fen}"

    @property
    def by_hand(self) -> bool:
        return self.status in BY_HAND
