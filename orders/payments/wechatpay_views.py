"""WeChat Pay's notification endpoint and the page where the visitor pays by WeChat Pay."""

import logging
import re

from allauth.account.adapter import get_adapter
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from orders.models import Order
from orders.qr import qr_svg

from .base import get_provider
from .exceptions import PaymentError, ProviderUnavailable
from .views import PAYABLE_ORDER_STATUSES, PAYABLE_PAYMENT_STATUSES, order_url
from .webhooks import InvalidWebhook, WebhookRetry
from .wechatpay_notify import handle_notification, sync_payment, verified_notification
from .wechatpay_provider import configured

logger = logging.getLogger(__name__)

# Phones' browsers pay through H5; WeChat's own browser cannot (JSAPI is not built): it gets the QR code.
MOBILE_RE = re.compile(r"Mobile|Android|iPhone|iPad|HarmonyOS", re.IGNORECASE)
POLL_SECONDS = 3
SYNC_SECONDS = 15


def _answer(status, code="SUCCESS", message="成功"):
    """WeChat's expected answer: 2xx to acknowledge, else 4xx/5xx with ``code`` FAIL (it retries)."""
    return JsonResponse(
        {"code": code, "message": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


@csrf_exempt
@require_POST
def wechatpay_notify(request):
    """WeChat Pay's notifications: 400 unless signed by the platform and decryptable, 503 to retry."""
    if not configured():
        logger.error("WeChat Pay notification received but WeChat Pay is not configured")
        return _answer(400, "FAIL", "not configured")
    try:
        notification = verified_notification(request.headers, request.body)
    except InvalidWebhook as exc:
        logger.info("WeChat Pay notification refused: %s", exc)
        return _answer(400, "FAIL", str(exc))
    except ProviderUnavailable:
        return _answer(503, "FAIL", "busy, retry later")
    try:
        outcome = handle_notification(notification)
    except WebhookRetry as exc:
        logger.warning("WeChat Pay notification %s deferred: %s", notification["id"], exc)
        return _answer(503, "FAIL", "busy, retry later")
    logger.info("WeChat Pay notification %s %s: %s", notification["id"], notification["event_type"], outcome)
    return _answer(200)


def _payable(order):
    payment = order.payments.filter(provider="wechatpay").order_by("-created_at", "-pk").first()
    if (
        payment is not None
        and order.status in PAYABLE_ORDER_STATUSES
        and payment.status in PAYABLE_PAYMENT_STATUSES
    ):
        return payment
    return None


def _is_phone_browser(request) -> bool:
    agent = request.headers.get("User-Agent", "")
    return bool(MOBILE_RE.search(agent)) and "MicroMessenger" not in agent


@never_cache
@require_GET
@login_required
def wechatpay_pay(request, ref):
    """Pay the order by WeChat Pay: a QR code to scan (desktop, polled until paid), or off to
    WeChat's H5 page (a phone's browser), which sends the visitor back to the order."""
    order = get_object_or_404(Order, reference=ref, user=request.user)
    payment = _payable(order)
    if payment is None:
        return redirect(order_url(order))
    provider = get_provider("wechatpay")
    phone = _is_phone_browser(request)
    context = {
        "order": order,
        "payment": payment,
        "order_url": order_url(order),
        "error": None,
        "phone": phone,
    }
    # Outside any transaction: these call WeChat.
    try:
        if phone and request.GET.get("qr") != "1":
            h5_url = provider.h5_url(payment, client_ip=get_adapter(request).get_client_ip(request))
            back = request.build_absolute_uri(order_url(order))
            return redirect(h5_url + ("&" if "?" in h5_url else "?") + urlencode({"redirect_url": back}))
        context["qr_svg"] = qr_svg(provider.native_code_url(payment))
    except (PaymentError, PermissionDenied) as exc:  # PermissionDenied: no client address
        context["error"] = getattr(exc, "message", None) or ProviderUnavailable.default_message
        return render(request, "orders/payments/wechatpay_pay.html", context, status=503)
    context["poll_seconds"] = POLL_SECONDS
    # Inside WeChat itself the code cannot be scanned and JSAPI is not built: say where to pay.
    context["in_wechat"] = "MicroMessenger" in request.headers.get("User-Agent", "")
    return render(request, "orders/payments/wechatpay_pay.html", context)


@never_cache
@require_GET
@login_required
def wechatpay_status(request, ref):
    """The order's state for the pay page's poll."""
    order = get_object_or_404(Order, reference=ref, user=request.user)
    payment = _payable(order)
    # Paid at WeChat but no notification yet: ask WeChat itself, at most every SYNC_SECONDS.
    if payment is not None and cache.add(f"wechatpay:sync:{payment.idempotency_key.hex}", 1, SYNC_SECONDS):
        sync_payment(payment)
        order.refresh_from_db()
        payment = _payable(order)
    return JsonResponse(
        {"status": order.status, "waiting": payment is not None, "order_url": order_url(order)}
    )
