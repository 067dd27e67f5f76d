"""Payment providers (on site, Stripe) behind one interface: see ``base``."""

from .base import (
    PaymentProvider,
    StartResult,
    available_providers,
    get_provider,
    provider_choices,
    refundable_fen,
)
from .exceptions import PaymentError, ProviderUnavailable, RefundNotAllowed, UnknownProvider

__all__ = [
    "PaymentError",
    "PaymentProvider",
    "ProviderUnavailable",
    "RefundNotAllowed",
    "StartResult",
    "UnknownProvider",
    "available_providers",
    "get_provider",
    "provider_choices",
    "refundable_fen",
]
