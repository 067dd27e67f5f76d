"""WeChat Pay notifications already processed: a replayed notification id is a no-op."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WechatPayNotification(models.Model):
    """One row per WeChat Pay notification whose processing committed, written in the same transaction."""

    notification_id = models.CharField(_("notification id"), max_length=64)
    event_type = models.CharField(_("event type"), max_length=64)
    payment = models.ForeignKey(
        "orders.Payment",
        verbose_name=_("payment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wechatpay_notifications",
    )
    processed_at = models.DateTimeField(_("processed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("WeChat Pay notification")
        verbose_name_plural = _("WeChat Pay notifications")
        ordering = ["-processed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification_id"], name="orders_wechatpaynotification_id_unique"
            ),
        ]

    def __str__(self):
        return f"{self.event_type} {self.notification_id}"
