"""Commission rates and payouts: what staff set and record. Statements are computed from these
and the order lines (``statements.services``); no balance is ever stored."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from orders.lines import registered_kinds
from orders.money import format_fen


def kind_choices():
    return [("", _("Every kind"))] + [(kind, kind) for kind in registered_kinds()]


class CommissionRate(models.Model):
    """The platform's commission on a kind (no seller), or a seller's own rate (on one kind, or on
    every kind when ``kind`` is empty). A supported household with no rate of its own pays none.
    Rows, not a site setting: the kinds are registered by the apps, and sellers are many."""

    kind = models.CharField(_("kind"), max_length=16, blank=True, choices=kind_choices)
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seller (producer or host)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="commission_rates",
        help_text=_("Empty: the rate of the kind for every seller without a rate of their own."),
    )
    rate_bp = models.PositiveIntegerField(
        _("rate (basis points)"), help_text=_("100 basis points are 1 %; 10000 are 100 %.")
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("rate_bp")]),
        FieldPanel("seller"),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = _("commission rate")
        verbose_name_plural = _("commission rates")
        ordering = ["seller_id", "kind"]
        constraints = [
            models.CheckConstraint(condition=Q(rate_bp__lte=10000), name="statements_rate_at_most_all"),
            models.UniqueConstraint(fields=["kind", "seller"], name="statements_one_rate_per_seller_kind"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(seller__isnull=True), name="statements_one_rate_per_kind"
            ),
        ]

    def __str__(self):
        who = str(self.seller) if self.seller_id else _("everyone")
        return f"{self.kind or _('every kind')} · {who} · {self.rate_bp / 100:g} %"

    def clean(self):
        if not self.kind and not self.seller_id:
            raise ValidationError({"kind": _("A rate for every kind needs a seller.")})


class PayoutMethod(models.TextChoices):
    BANK_TRANSFER = "bank", _("Bank transfer")
    WECHAT = "wechat", _("WeChat")
    CASH = "cash", _("Cash")


class Payout(models.Model):
    """Money the tourism office paid to a producer or host, recorded by staff."""

    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seller (producer or host)"),
        on_delete=models.PROTECT,
        related_name="payouts",
    )
    paid_on = models.DateField(_("paid on"))
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"), help_text=_("In fen: ¥12.50 is 1250."))
    method = models.CharField(_("method"), max_length=16, choices=PayoutMethod.choices)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("The bank or WeChat transaction number.")
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    panels = [
        FieldPanel("seller"),
        FieldRowPanel([FieldPanel("paid_on"), FieldPanel("amount_fen")]),
        FieldRowPanel([FieldPanel("method"), FieldPanel("reference")]),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="statements_payout_positive"),
        ]

    def __str__(self):
        return f"{self.paid_on} {self.seller} {format_fen(self.amount_fen)}"

    @admin.display(description=_("amount"))
    def amount(self):
        return format_fen(self.amount_fen)
