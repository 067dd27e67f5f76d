"""Notifications of the direct payment providers (WeChat Pay, Alipay) already processed: one
delivered again is a no-op. Stripe's events keep their own table (``StripeEvent``), which held
rows before these providers came."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentNotification(models.Model):
    """One row per provider notification whose processing committed, written in the same
    transaction as the change it made (``webhooks.apply_once``)."""

    provider = models.CharField(_("provider"), max_length=32)
    # WeChat Pay's notification id; Alipay's notify_id.
    notification_id = models.CharField(_("notification id"), max_length=128)
    # WeChat Pay's event type (TRANSACTION.SUCCESS, REFUND.SUCCESS...); Alipay's trade status.
    kind = models.CharField(_("kind"), max_length=64)
    payment = models.ForeignKey(
        "orders.Payment",
        verbose_name=_("payment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    processed_at = models.DateTimeField(_("processed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment notification")
        verbose_name_plural = _("payment notifications")
        ordering = ["-processed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "notification_id"], name="orders_paymentnotification_unique"
            ),
        ]

    def __str__(self):
        return f"{self.provider} {self.kind} {self.notification_id}"
