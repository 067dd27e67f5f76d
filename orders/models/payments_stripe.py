"""Stripe webhook events already processed: a replayed event id is a no-op (pretix does the same)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StripeEvent(models.Model):
    """One row per Stripe event whose processing committed, written in the same transaction."""

    event_id = models.CharField(_("event id"), max_length=255)
    event_type = models.CharField(_("event type"), max_length=100)
    payment = models.ForeignKey(
        "orders.Payment",
        verbose_name=_("payment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stripe_events",
    )
    processed_at = models.DateTimeField(_("processed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-processed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event_id"], name="orders_stripeevent_event_id_unique"),
        ]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"
