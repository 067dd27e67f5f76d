"""WeChat Pay's notification endpoint, the page where the visitor pays by WeChat Pay, and the
address WeChat's web authorisation comes back to (the openid JSAPI needs, ``wechatpay_oauth``)."""

import logging
import re

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from orders.models import Order
from orders.qr import qr_svg

from . import wechatpay_oauth
from .base import get_provider
from .exceptions import PaymentError, ProviderUnavailable
from .views import POLL_SECONDS, order_url
from .webhooks import InvalidWebhook, WebhookRetry
from .wechatpay_notify import handle_notification, verified_notification
from .wechatpay_provider import configured, payable_payment

logger = logging.getLogger(__name__)

# Phones' browsers pay through H5; WeChat's own browser cannot: it pays by JSAPI (or, without the
# Official Account's secret, gets the QR code).
MOBILE_RE = re.compile(r"Mobile|Android|iPhone|iPad|HarmonyOS", re.IGNORECASE)
TEMPLATE = "orders/payments/wechatpay_pay.html"


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


def _in_wechat(request) -> bool:
    return "MicroMessenger" in request.headers.get("User-Agent", "")


def _is_phone_browser(request) -> bool:
    return bool(MOBILE_RE.search(request.headers.get("User-Agent", ""))) and not _in_wechat(request)


@never_cache
@require_GET
@login_required
def wechatpay_pay(request, ref):
    """Pay the order by WeChat Pay: a QR code to scan (desktop, polled until paid), off to WeChat's
    H5 page (a phone's browser), which sends the visitor back to the order, or, inside WeChat's
    browser, WeChat's own payment sheet (JSAPI) once we know the visitor's openid."""
    order = get_object_or_404(Order, reference=ref, user=request.user)
    payment = payable_payment(order)
    if payment is None:
        return redirect(order_url(order))
    provider = get_provider("wechatpay")
    phone = _is_phone_browser(request)
    in_wechat = _in_wechat(request)
    jsapi = in_wechat and wechatpay_oauth.jsapi_enabled() and request.GET.get("qr") != "1"
    context = {
        "order": order,
        "payment": payment,
        "order_url": order_url(order),
        "error": None,
        "phone": phone,
        "jsapi": jsapi,
        "in_wechat": in_wechat,
        "poll_seconds": POLL_SECONDS,
    }
    # Outside any transaction: these call WeChat.
    try:
        if jsapi:
            openid = wechatpay_oauth.stored_openid(request)
            if openid is None:
                back = request.build_absolute_uri(reverse("payments_wechatpay_oauth", args=[order.reference]))
                return redirect(
                    wechatpay_oauth.authorize_url(request, ref=order.reference, redirect_uri=back)
                )
            context["jsapi_params"] = provider.jsapi_params(
                payment, openid=openid, appid=settings.WECHATPAY_APPID
            )
            return render(request, TEMPLATE, context)
        if phone and request.GET.get("qr") != "1":
            h5_url = provider.h5_url(payment, client_ip=get_adapter(request).get_client_ip(request))
            back = request.build_absolute_uri(order_url(order))
            return redirect(h5_url + ("&" if "?" in h5_url else "?") + urlencode({"redirect_url": back}))
        context["qr_svg"] = qr_svg(provider.native_code_url(payment))
    except (PaymentError, PermissionDenied) as exc:  # PermissionDenied: no client address
        context["error"] = getattr(exc, "message", None) or ProviderUnavailable.default_message
        return render(request, TEMPLATE, context, status=503)
    return render(request, TEMPLATE, context)


@never_cache
@require_GET
@login_required
def wechatpay_oauth_return(request, ref):
    """Where WeChat's web authorisation comes back with ``code`` and our ``state``: learn the
    visitor's openid, then back to the pay page. A state this session did not send, a refusal or
    a bad code get the pay page with the reason (4xx), never an openid from someone else's link."""
    order = get_object_or_404(Order, reference=ref, user=request.user)
    payment = payable_payment(order)
    if payment is None:
        return redirect(order_url(order))
    try:
        wechatpay_oauth.check_state(request, ref=order.reference, state=request.GET.get("state", ""))
        wechatpay_oauth.learn_openid(request, request.GET.get("code", ""))
    except wechatpay_oauth.AuthorisationFailed as exc:
        context = {
            "order": order,
            "payment": payment,
            "order_url": order_url(order),
            "error": exc.message,
            "in_wechat": _in_wechat(request),
            "retry_url": reverse("payments_wechatpay_pay", args=[order.reference]),
        }
        return render(request, TEMPLATE, context, status=exc.status)
    return redirect("payments_wechatpay_pay", ref=order.reference)
