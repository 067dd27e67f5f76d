"""Alipay's pages: the way to its cashier, the page it sends the visitor back to, and the
notification endpoint it posts to. Thin: ``alipay_provider`` and ``alipay_notify`` decide."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from orders.models import Order

from .alipay_notify import handle_notification, refresh_payment, verified_notification
from .alipay_provider import configured, is_phone
from .base import get_provider
from .exceptions import PaymentError
from .views import PAYABLE_ORDER_STATUSES, PAYABLE_PAYMENT_STATUSES, order_url
from .webhooks import InvalidWebhook, WebhookRetry

logger = logging.getLogger(__name__)


def _answer(text, status=200):
    # Alipay reads the body: "success" stops its retries, anything else asks for another delivery.
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def alipay_notify(request):
    """Alipay's asynchronous notification: 400 unless signed by Alipay for our app, "fail" with
    503 to be notified again, "success" once handled (or already handled)."""
    if not configured():
        logger.error("Alipay notification received but Alipay is not configured")
        return _answer("fail", status=400)
    try:
        fields = verified_notification(request.POST.dict())
    except InvalidWebhook as exc:
        logger.info("Alipay notification refused: %s", exc)
        return _answer("fail", status=400)
    try:
        outcome = handle_notification(fields)
    except WebhookRetry as exc:
        logger.warning("Alipay notification %s deferred: %s", fields["notify_id"], exc)
        return _answer("fail", status=503)
    logger.info("Alipay notification %s (%s): %s", fields["notify_id"], fields["out_trade_no"], outcome)
    return _answer("success")


def _alipay_payment(order):
    return order.payments.filter(provider="alipay").order_by("-created_at", "-pk").first()


@never_cache
@require_GET
@login_required
def alipay_pay(request, ref):
    """Send the visitor to Alipay's cashier for the order's Alipay payment (phone or desktop)."""
    order = get_object_or_404(Order, reference=ref, user=request.user)
    payment = _alipay_payment(order)
    if (
        payment is None
        or order.status not in PAYABLE_ORDER_STATUSES
        or payment.status not in PAYABLE_PAYMENT_STATUSES
    ):
        return redirect(order_url(order))
    notify_url = settings.ALIPAY_NOTIFY_URL or request.build_absolute_uri(reverse("payments_alipay_notify"))
    try:
        link = get_provider("alipay").pay_link(
            payment,
            phone=is_phone(request.headers.get("User-Agent", "")),
            return_url=request.build_absolute_uri(reverse("payments_alipay_return", args=[order.reference])),
            notify_url=notify_url,
        )
    except PaymentError as exc:
        messages.error(request, exc.message)
        return redirect(order_url(order))
    return redirect(link)


@never_cache
@require_GET
@login_required
def alipay_return(request, ref):
    """Where Alipay sends the visitor back: its query string is not believed; we ask Alipay."""
    order = get_object_or_404(Order, reference=ref, user=request.user)
    payment = _alipay_payment(order)
    if payment is None:
        return redirect(order_url(order))
    refresh_payment(payment)
    payment.refresh_from_db(fields=["status"])
    if payment.status in PAYABLE_PAYMENT_STATUSES:
        messages.info(
            request, _("Alipay has not told us of your payment yet; this page will show it once it has.")
        )
    return redirect(order_url(order))
