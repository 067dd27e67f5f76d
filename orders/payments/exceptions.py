"""Domain errors of the payment providers, with translatable messages a view can show as is."""

from django.utils.translation import gettext_lazy as _


class PaymentError(Exception):
    code = "payment_error"
    default_message = _("The payment could not be processed.")

    def __init__(self, message=None):
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class UnknownProvider(PaymentError):
    code = "unknown_provider"
    default_message = _("This payment method is not available.")


class ProviderUnavailable(PaymentError):
    """The provider exists but cannot be reached or is not configured: try again later."""

    code = "provider_unavailable"
    default_message = _("The payment service is not available right now; please try again later.")


class RefundNotAllowed(PaymentError):
    """Too much (more than paid minus refunded), nothing, or past the method's online window."""

    code = "refund_not_allowed"
    default_message = _("This refund is not allowed.")


class StatementUnavailable(PaymentError):
    """The provider's statement of a day could not be downloaded or read (reported, never silent)."""

    code = "statement_unavailable"
    default_message = _("The provider's statement could not be downloaded.")
