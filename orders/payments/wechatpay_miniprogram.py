"""Paying from the town's WeChat mini-program: a JSAPI order of the mini-program's own app id
(``WECHAT_MINIPROGRAM_APP_ID``, bound to our merchant account), paid by the openid its log-in
stored (``accounts.WeChatIdentity``), and the signed parameters ``wx.requestPayment`` takes. The
API's ``POST /orders/{ref}/pay/wechat`` answers with them; the result still comes only through
WeChat Pay's notification (or the order's status poll)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import WeChatIdentity

from .base import get_provider
from .exceptions import PaymentError
from .wechatpay_provider import configured, payable_payment


class CannotPay(PaymentError):
    """Why the mini-program cannot pay this order now: the API answers ``status`` with ``code``."""

    status = 409


class NotAvailable(CannotPay):
    code = "wechatpay_unavailable"
    default_message = _("WeChat Pay is not available for the mini-program on this site.")


class NotPayable(CannotPay):
    code = "not_payable"
    default_message = _("This order is not waiting for a WeChat Pay payment.")


class NoOpenid(CannotPay):
    status = 403
    code = "wechat_login_required"
    default_message = _("This account has not logged in from the WeChat mini-program; log in there first.")


def request_payment_params(order, user) -> tuple:
    """(payment, the signed ``wx.requestPayment`` parameters) for ``user``'s own ``order``.
    Raises ``CannotPay`` (or ``PaymentError`` when WeChat refuses or cannot be reached)."""
    if not (configured() and settings.WECHAT_MINIPROGRAM_APP_ID):
        raise NotAvailable()
    payment = payable_payment(order)
    if payment is None:
        raise NotPayable()
    identity = (
        WeChatIdentity.objects.filter(user=user, kind=WeChatIdentity.Kind.MINIPROGRAM).order_by("-pk").first()
    )
    if identity is None:
        raise NoOpenid()
    params = get_provider("wechatpay").jsapi_params(
        payment, openid=identity.openid, appid=settings.WECHAT_MINIPROGRAM_APP_ID
    )
    return payment, params
