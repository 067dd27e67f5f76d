"""Pay on site: at the homestay or the visitor centre, the embedded default that needs no keys.

Nothing happens online: the payment stays pending until the host or staff mark it paid (through
``orders.order_state.payment_succeeded``), and refunds are paid out of band by staff, so ``refund``
only checks the cap and returns a local "manual-<uuid>" reference to record.
"""

from django.utils.translation import gettext_lazy as _

from .base import PaymentProvider, StartResult, manual_reference


class OnSiteProvider(PaymentProvider):
    name = "on_site"
    label = _("Pay on site")
    online = False

    def start(self, payment) -> StartResult:
        return StartResult()

    def can_refund_online(self, payment) -> bool:
        # There is no service to refund through; "refunding" is recording what staff paid back.
        return True

    def _refund(self, payment, amount_fen: int, *, reason: str = "") -> str:
        return manual_reference()
