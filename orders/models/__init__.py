"""Models of the orders app, one module per concern; import them from ``orders.models``."""

from .call_offs import BY_HAND, CallOff, CallOffRefund, CallOffRefundStatus  # noqa: F401
from .deposits import DepositPlan  # noqa: F401
from .invoices import InvoiceKind, InvoiceRequest, InvoiceStatus  # noqa: F401
from .orders import (  # noqa: F401
    SOLD_STATUSES,
    Basket,
    BasketLine,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    Refund,
    Voucher,
)
from .payments_notifications import PaymentNotification  # noqa: F401
from .payments_stripe import StripeEvent  # noqa: F401
from .reconciliation import (  # noqa: F401
    Discrepancy,
    DiscrepancyKind,
    ReconciliationDay,
    ReconciliationStatus,
)
from .refund_requests import RefundRequest  # noqa: F401
from .reservations import Reservation, ReservationKind, ReservationQuerySet, ReservationStatus  # noqa: F401
from .waitlist import ACTIVE_STATUSES, WaitlistEntry, WaitlistStatus  # noqa: F401
