"""Orders paid in two parts: a deposit now, the balance by a date (a group's accepted quote)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .orders import Order


class DepositPlan(models.Model):
    """How an order is paid when it is paid in two parts (``orders.deposits``): the deposit holds
    everything, the balance is due by ``balance_due_on``. An order without one is paid at once."""

    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="deposit_plan"
    )
    deposit_fen = models.PositiveBigIntegerField(_("deposit (fen)"))
    balance_due_on = models.DateField(_("balance due by"))
    # The reminder before the balance date went out (``deposits.send_balance_reminders``): once.
    balance_reminded_at = models.DateTimeField(_("balance reminder sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deposit plan")
        verbose_name_plural = _("deposit plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(deposit_fen__gte=0), name="orders_depositplan_deposit_positive"
            ),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.deposit_fen} then by {self.balance_due_on}"
