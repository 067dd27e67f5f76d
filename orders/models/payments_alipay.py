"""Alipay notifications already processed: a notification delivered again is a no-op."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlipayNotification(models.Model):
    """One row per Alipay asynchronous notification (notify_id) whose processing committed,
    written in the same transaction as the change it made."""

    notify_id = models.CharField(_("notify id"), max_length=128)
    trade_status = models.CharField(_("trade status"), max_length=32)
    payment = models.ForeignKey(
        "orders.Payment",
        verbose_name=_("payment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alipay_notifications",
    )
    processed_at = models.DateTimeField(_("processed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Alipay notification")
        verbose_name_plural = _("Alipay notifications")
        ordering = ["-processed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["notify_id"], name="orders_alipaynotification_notify_id_unique"),
        ]

    def __str__(self):
        return f"{self.trade_status} {self.notify_id}"
