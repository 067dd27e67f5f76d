"""The provider interface, on-site payments and Stripe against a real localstripe."""

from datetime import timedelta

import pytest
import stripe
from django.utils import timezone

from orders.payments import (
    RefundNotAllowed,
    StartResult,
    UnknownProvider,
    available_providers,
    get_provider,
)
from orders.payments.base import check_refund_amount
from orders.payments.stripe_provider import refund_window_open


def confirm_as_browser(stripe_client, intent_id, payment_method="pm_card_visa"):
    """What the Payment Element does: attach the visitor's payment method and confirm."""
    stripe_client.v1.payment_intents.update(intent_id, {"payment_method": payment_method})
    return stripe_client.v1.payment_intents.confirm(intent_id)


# --- the registry ---------------------------------------------------------------------------


def test_unknown_provider_is_a_domain_error():
    with pytest.raises(UnknownProvider):
        get_provider("paypal")
    with pytest.raises(UnknownProvider):
        get_provider(None)


def test_on_site_is_always_available_and_stripe_only_with_a_key(settings):
    settings.STRIPE_SECRET_KEY = ""
    assert [p.name for p in available_providers()] == ["on_site"]
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    assert [p.name for p in available_providers()] == ["on_site", "stripe"]
    assert get_provider("stripe").online is True
    assert get_provider("on_site").online is False


# --- on site --------------------------------------------------------------------------------


def test_on_site_start_does_nothing(make_payment):
    payment = make_payment(provider="on_site")
    assert get_provider("on_site").start(payment) == StartResult()
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert payment.provider_reference == ""


def test_on_site_refund_returns_a_manual_reference(make_payment):
    payment = make_payment(provider="on_site", total_fen=30000, refunded_fen=0)
    reference = get_provider("on_site").refund(payment, 10000, reason="rain")
    assert reference.startswith("manual-") and len(reference) > len("manual-") + 30


@pytest.mark.parametrize("amount", [0, -1, 30001, 1.5, "100", True, None])
def test_refund_amount_is_capped_at_what_was_paid(make_payment, amount):
    payment = make_payment(provider="on_site", total_fen=30000)
    with pytest.raises(RefundNotAllowed):
        get_provider("on_site").refund(payment, amount)


def test_refund_cap_counts_what_was_already_refunded(make_payment):
    payment = make_payment(provider="on_site", total_fen=30000, refunded_fen=20000)
    assert check_refund_amount(payment, 10000) == 10000
    with pytest.raises(RefundNotAllowed):
        check_refund_amount(payment, 10001)


# --- Stripe against localstripe -------------------------------------------------------------


def test_stripe_start_creates_a_payment_intent_for_the_order(stripe_on, make_payment):
    payment = make_payment(total_fen=52800)
    result = get_provider("stripe").start(payment)

    payment.refresh_from_db()
    assert payment.provider_reference.startswith("pi_")
    intent = stripe_on.v1.payment_intents.retrieve(payment.provider_reference)
    assert intent.amount == 52800
    assert intent.currency == "cny"
    assert intent.metadata.to_dict() == {"order_ref": payment.order.reference, "payment_id": str(payment.pk)}
    assert result.client_secret == intent.client_secret
    assert result.needs_action is True
    assert payment.status == "pending"  # only the webhook changes it


def test_stripe_start_twice_reuses_the_payment_intent(stripe_on, make_payment):
    payment = make_payment()
    first = get_provider("stripe").start(payment)
    reference = payment.provider_reference
    payment.refresh_from_db()
    second = get_provider("stripe").start(payment)
    assert payment.provider_reference == reference
    assert second.client_secret == first.client_secret


def test_stripe_start_without_the_server_is_a_domain_error(settings, make_payment):
    from orders.payments import ProviderUnavailable

    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    payment = make_payment()
    with pytest.raises(ProviderUnavailable):
        get_provider("stripe").start(payment)
    payment.refresh_from_db()
    assert payment.provider_reference == ""


def test_declined_card_leaves_the_intent_unpaid(stripe_on, make_payment):
    payment = make_payment()
    get_provider("stripe").start(payment)
    with pytest.raises(stripe.CardError):
        confirm_as_browser(stripe_on, payment.provider_reference, "pm_card_chargeCustomerFail")
    intent = stripe_on.v1.payment_intents.retrieve(payment.provider_reference)
    assert intent.status == "requires_payment_method"


def test_stripe_refund_creates_a_refund_in_stripe(stripe_on, make_payment):
    payment = make_payment(total_fen=52800)
    provider = get_provider("stripe")
    provider.start(payment)
    assert confirm_as_browser(stripe_on, payment.provider_reference).status == "succeeded"
    type(payment).objects.filter(pk=payment.pk).update(status="succeeded")
    payment.refresh_from_db()

    assert provider.can_refund_online(payment) is True
    refund_id = provider.refund(payment, 20000, reason="guest cancelled")

    refund = stripe_on.v1.refunds.retrieve(refund_id)
    assert refund.amount == 20000
    assert refund.payment_intent == payment.provider_reference
    assert refund.metadata.to_dict()["reason"] == "guest cancelled"


def test_stripe_over_refund_is_refused_before_stripe_is_asked(stripe_on, make_payment):
    payment = make_payment(total_fen=52800)
    provider = get_provider("stripe")
    provider.start(payment)
    confirm_as_browser(stripe_on, payment.provider_reference)
    type(payment).objects.filter(pk=payment.pk).update(status="partially_refunded", refunded_fen=50000)
    payment.refresh_from_db()

    with pytest.raises(RefundNotAllowed):
        provider.refund(payment, 2801)  # localstripe itself would accept it

    charge = stripe_on.v1.payment_intents.retrieve(payment.provider_reference).latest_charge
    refunds = stripe_on.v1.refunds.list({"charge": charge.id if hasattr(charge, "id") else charge})
    assert refunds.data == []


def test_unpaid_stripe_payment_cannot_be_refunded_online(stripe_on, make_payment):
    payment = make_payment()
    get_provider("stripe").start(payment)
    assert get_provider("stripe").can_refund_online(payment) is False


@pytest.mark.parametrize(
    ("method", "age_days", "open_"),
    [
        ("alipay", 89, True),
        ("alipay", 90, False),
        ("alipay", 120, False),
        ("wechat_pay", 179, True),
        ("wechat_pay", 180, False),
        ("card", 400, True),
    ],
)
def test_refund_windows_of_alipay_and_wechat_pay(method, age_days, open_):
    now = timezone.now()
    assert refund_window_open(method, now - timedelta(days=age_days), now) is open_


def _paid_intent_as_stripe_reports_it(method_type, days_ago):
    """A PaymentIntent shaped as real Stripe returns it (localstripe has no Alipay/WeChat Pay)."""
    created = int((timezone.now() - timedelta(days=days_ago)).timestamp())
    return stripe.PaymentIntent.construct_from(
        {
            "id": "pi_alipay",
            "object": "payment_intent",
            "status": "succeeded",
            "latest_charge": {
                "id": "ch_alipay",
                "object": "charge",
                "created": created,
                "payment_method_details": {"type": method_type, method_type: {}},
            },
        },
        "sk_test_x",
    )


@pytest.mark.parametrize(
    ("method", "days_ago", "online"),
    [("alipay", 91, False), ("alipay", 30, True), ("wechat_pay", 181, False), ("wechat_pay", 100, True)],
)
def test_alipay_and_wechat_pay_past_their_window_are_refunded_by_hand(
    stripe_on, make_payment, monkeypatch, method, days_ago, online
):
    payment = make_payment(total_fen=30000)
    provider = get_provider("stripe")
    type(payment).objects.filter(pk=payment.pk).update(status="succeeded", provider_reference="pi_alipay")
    payment.refresh_from_db()
    monkeypatch.setattr(
        provider, "fetch_intent", lambda _id: _paid_intent_as_stripe_reports_it(method, days_ago)
    )

    assert provider.can_refund_online(payment) is online
    if not online:
        with pytest.raises(RefundNotAllowed):
            provider.refund(payment, 100)
        assert provider.refund_manually(payment, 100).startswith("manual-")
        with pytest.raises(RefundNotAllowed):
            provider.refund_manually(payment, 30001)
