"""Staff requests to refund part of an order: one row per refund form sent, so a form sent twice
(a double click, a retried post) refunds once."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RefundRequest(models.Model):
    """A part refund staff asked for, written under the order's lock before any money moves.

    ``refunds.refund_part`` looks its token up under that lock: a second request with the same
    token finds this row and refunds nothing more; the unique constraint backs that up.
    """

    token = models.UUIDField(_("form token"), editable=False)
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="refund_requests"
    )
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    reason = models.TextField(_("reason"))
    manual = models.BooleanField(_("paid out by staff"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("refund request")
        verbose_name_plural = _("refund requests")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["token"], name="orders_refundrequest_token_unique"),
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0), name="orders_refundrequest_amount_positive"
            ),
        ]

    def __str__(self):
        return f"refund request {self.amount_fen} on {self.order_id}"
