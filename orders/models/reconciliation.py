"""Daily reconciliation (对账): each provider's statement of a day against our payments and refunds.

One ``ReconciliationDay`` per (provider, day), replaced whole when the day is run again; its
``Discrepancy`` rows are what staff must look at. Written only by ``orders.payments.reconciliation``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReconciliationStatus(models.TextChoices):
    MATCHED = "matched", _("All matched")
    DISCREPANCIES = "discrepancies", _("Discrepancies")
    FAILED = "failed", _("Download failed")


class ReconciliationDay(models.Model):
    provider = models.CharField(_("provider"), max_length=32)
    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=16, choices=ReconciliationStatus.choices)
    downloaded_at = models.DateTimeField(_("statement downloaded at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The provider's statement: money in (payments) and out (refunds), in fen, and line counts.
    statement_in_fen = models.BigIntegerField(_("statement: received (fen)"), default=0)
    statement_out_fen = models.BigIntegerField(_("statement: refunded (fen)"), default=0)
    statement_lines = models.PositiveIntegerField(_("statement lines"), default=0)
    # Ours: the payments and refunds this day's statement was held against.
    ours_in_fen = models.BigIntegerField(_("ours: received (fen)"), default=0)
    ours_out_fen = models.BigIntegerField(_("ours: refunded (fen)"), default=0)
    matched_lines = models.PositiveIntegerField(_("matched lines"), default=0)
    # Ours recorded just before midnight and not on this statement: judged with the next day's.
    carried_fen = models.BigIntegerField(_("carried to the next day (fen)"), default=0)
    # References matched on this day's statement (so a neighbouring day never calls them missing).
    matched_references = models.JSONField(_("matched references"), default=list, blank=True)
    carried_references = models.JSONField(_("carried references"), default=list, blank=True)
    run_at = models.DateTimeField(_("run at"), auto_now=True)

    class Meta:
        verbose_name = _("reconciliation day")
        verbose_name_plural = _("reconciliation days")
        ordering = ["-day", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "day"], name="orders_reconciliationday_unique"),
        ]

    def __str__(self):
        return f"{self.provider} {self.day} ({self.status})"

    @property
    def statement_net_fen(self) -> int:
        return self.statement_in_fen - self.statement_out_fen

    @property
    def ours_net_fen(self) -> int:
        return self.ours_in_fen - self.ours_out_fen

    @property
    def difference_fen(self) -> int:
        return self.statement_net_fen - self.ours_net_fen


class DiscrepancyKind(models.TextChoices):
    UNKNOWN = "unknown", _("On the statement, unknown to us")
    MISSING = "missing", _("Recorded by us, not on the statement")
    AMOUNT = "amount", _("Amounts differ")
    DOWNLOAD = "download", _("Statement not downloaded")


class Discrepancy(models.Model):
    day = models.ForeignKey(
        ReconciliationDay, verbose_name=_("day"), on_delete=models.CASCADE, related_name="discrepancies"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DiscrepancyKind.choices)
    # "payment" or "refund": which side of the money the line is.
    direction = models.CharField(_("payment or refund"), max_length=8, blank=True)
    reference = models.CharField(_("reference"), max_length=255, blank=True)
    transaction_id = models.CharField(_("provider's transaction id"), max_length=255, blank=True)
    statement_fen = models.BigIntegerField(_("on the statement (fen)"), null=True, blank=True)
    ours_fen = models.BigIntegerField(_("ours (fen)"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("time"), null=True, blank=True)
    payment = models.ForeignKey(
        "orders.Payment",
        verbose_name=_("payment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    refund = models.ForeignKey(
        "orders.Refund",
        verbose_name=_("refund"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("discrepancy")
        verbose_name_plural = _("discrepancies")
        ordering = ["-day__day", "day__provider", "pk"]

    def __str__(self):
        return f"{self.kind} {self.reference}"

    @property
    def order(self):
        if self.payment_id:
            return self.payment.order
        if self.refund_id:
            return self.refund.payment.order
        return None
