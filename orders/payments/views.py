"""The Stripe webhook endpoint and the Stripe payment step of checkout."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from orders.models import Order

from .base import PAYABLE_ORDER_STATUSES, PAYABLE_PAYMENT_STATUSES, get_provider, waiting_payment
from .exceptions import PaymentError
from .webhooks import InvalidWebhook, WebhookRetry, handle_event, verified_event

logger = logging.getLogger(__name__)

# How often the pages ask for the order's state, and at most how often that asks the provider.
POLL_SECONDS = 3
REFRESH_SECONDS = 15


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's events: 400 unless a signed event object (``webhooks.verified_event``), 503 to ask
    for a retry."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        logger.error("Stripe webhook called but STRIPE_WEBHOOK_SECRET is not set")
        return HttpResponseBadRequest("webhook not configured")
    try:
        event = verified_event(request.body, request.headers.get("Stripe-Signature", ""), secret)
    except InvalidWebhook as exc:
        logger.info("Stripe webhook refused: %s", exc)
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    try:
        outcome = handle_event(event)
    except WebhookRetry as exc:
        logger.warning("Stripe event %s deferred: %s", event["id"], exc)
        return HttpResponse("busy, retry later", status=503, headers={"Retry-After": "5"})
    logger.info("Stripe event %s %s: %s", event["id"], event["type"], outcome)
    return HttpResponse(outcome)


def order_url(order) -> str:
    if hasattr(order, "get_absolute_url"):
        return order.get_absolute_url()
    return "/"


@never_cache
@require_GET
@login_required
def stripe_pay(request, ref):
    """The page where the visitor pays the order's Stripe payment with the Payment Element."""
    order = get_object_or_404(Order, reference=ref, user=request.user)
    payment = order.payments.filter(provider="stripe").order_by("-created_at", "-pk").first()
    payable = (
        payment is not None
        and order.status in PAYABLE_ORDER_STATUSES
        and payment.status in PAYABLE_PAYMENT_STATUSES
    )
    if not payable:
        return redirect(order_url(order))
    context = {
        "order": order,
        "payment": payment,
        "order_url": request.build_absolute_uri(order_url(order)),
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "stripe_js_url": settings.STRIPE_JS_URL,
        "client_secret": None,
        "error": None,
    }
    try:
        # Outside any transaction: this may call Stripe (it finds the PaymentIntent made at checkout).
        context["client_secret"] = get_provider("stripe").start(payment).client_secret
    except PaymentError as exc:
        context["error"] = exc.message
        return render(request, "orders/payments/stripe_pay.html", context, status=503)
    return render(request, "orders/payments/stripe_pay.html", context)


@never_cache
@require_GET
@login_required
def payment_status(request, ref):
    """The order's state for the pages that wait on an online payment (the WeChat Pay QR code and
    JSAPI pages, the order's page after Alipay, Stripe or WeChat's H5 page): ``waiting`` while a
    payment is still to come. A late webhook does not keep the visitor waiting: at most every
    REFRESH_SECONDS the provider is asked itself (``PaymentProvider.refresh``)."""
    order = get_object_or_404(Order.objects.prefetch_related("payments"), reference=ref, user=request.user)
    payment = waiting_payment(order)
    if payment is not None and cache.add(
        f"payments:refresh:{payment.idempotency_key.hex}", 1, REFRESH_SECONDS
    ):
        get_provider(payment.provider).refresh(payment)
        order = Order.objects.prefetch_related("payments").get(pk=order.pk)
        payment = waiting_payment(order)
    return JsonResponse(
        {"status": order.status, "waiting": payment is not None, "order_url": order_url(order)}
    )
