"""The Stripe webhook: signatures, replays, re-fetching, order of arrival, amounts, refunds, locks."""

import datetime
import hashlib
import hmac
import json
import time

import pytest
import time_machine

from orders import refunds
from orders.exceptions import InventoryBusy
from orders.models import Payment, Refund, StripeEvent
from orders.payments import RefundNotAllowed, get_provider

from .conftest import WEBHOOK_SECRET, event_payload, sign
from .test_providers import confirm_as_browser

WEBHOOK = "/payments/stripe/webhook/"


@pytest.fixture
def started(stripe_on, make_payment):
    """A Stripe payment whose PaymentIntent exists in localstripe, not yet confirmed."""
    payment = make_payment(total_fen=52800)
    get_provider("stripe").start(payment)
    payment.refresh_from_db()
    return payment


@pytest.fixture
def paid_in_stripe(stripe_on, started):
    """The visitor has paid in the browser; our side has not heard of it yet."""
    assert confirm_as_browser(stripe_on, started.provider_reference).status == "succeeded"
    return started


def intent_obj(payment, **fields):
    return {"id": payment.provider_reference, "object": "payment_intent", **fields}


def deliver(post_event, capture, event_type, obj, **kwargs):
    with capture(execute=True):
        return post_event(event_type, obj, **kwargs)


# --- signatures -----------------------------------------------------------------------------


def test_missing_signature_is_refused_and_changes_nothing(paid_in_stripe, post_event):
    response = post_event("payment_intent.succeeded", intent_obj(paid_in_stripe), signature="")
    assert response.status_code == 400
    paid_in_stripe.refresh_from_db()
    assert paid_in_stripe.status == "pending"
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize(
    "signature",
    [
        "t=1,v1=deadbeef",
        "garbage",
        "v1=0123456789abcdef",
    ],
)
def test_malformed_signature_is_refused(paid_in_stripe, post_event, signature):
    response = post_event("payment_intent.succeeded", intent_obj(paid_in_stripe), signature=signature)
    assert response.status_code == 400
    paid_in_stripe.refresh_from_db()
    assert paid_in_stripe.status == "pending"


def test_signature_with_another_secret_is_refused(paid_in_stripe, post_event):
    response = post_event("payment_intent.succeeded", intent_obj(paid_in_stripe), secret="whsec_attacker")
    assert response.status_code == 400
    paid_in_stripe.refresh_from_db()
    assert paid_in_stripe.status == "pending"
    assert paid_in_stripe.order.status == "pending"


def test_tampered_payload_is_refused(paid_in_stripe, post_event):
    payload = event_payload("payment_intent.payment_failed", intent_obj(paid_in_stripe))
    signature = sign(payload)
    response = post_event(
        None, None, payload=payload.replace("payment_failed", "canceled"), signature=signature
    )
    assert response.status_code == 400


def test_stale_signature_is_refused(paid_in_stripe, post_event):
    payload = event_payload("payment_intent.succeeded", intent_obj(paid_in_stripe))
    response = post_event(
        None, None, payload=payload, signature=sign(payload, timestamp=int(time.time()) - 3600)
    )
    assert response.status_code == 400
    paid_in_stripe.refresh_from_db()
    assert paid_in_stripe.status == "pending"


def test_signed_garbage_is_refused(stripe_on, post_event):
    payload = "not json at all"
    assert post_event(None, None, payload=payload, signature=sign(payload)).status_code == 400


def signed_post(client, body: bytes, timestamp=None):
    """POST raw bytes with a valid signature over exactly those bytes."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return client.post(
        WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={mac}"
    )


def nothing_changed_since(payment):
    """What a refused delivery must leave as it was: the payment, its order, events and refunds."""
    payment.refresh_from_db()
    return (
        payment.status,
        payment.order.status,
        StripeEvent.objects.count(),
        Refund.objects.count(),
        Payment.objects.count(),
    )


def _without(event, *keys):
    return {key: value for key, value in event.items() if key not in keys}


# Signed bodies that are JSON but not a Stripe event object, built from a real event for the payment.
NOT_EVENTS = {
    "array of the event": lambda event, ref: [event],
    "empty array": lambda event, ref: [],
    "number": lambda event, ref: 42,
    "string": lambda event, ref: "payment_intent.succeeded",
    "null": lambda event, ref: None,
    "true": lambda event, ref: True,
    "empty object": lambda event, ref: {},
    "no type": lambda event, ref: _without(event, "type"),
    "no data": lambda event, ref: _without(event, "data"),
    "no id": lambda event, ref: _without(event, "id"),
    "not an event": lambda event, ref: {**event, "object": "payment_intent"},
    "type is not text": lambda event, ref: {**event, "type": ["payment_intent.succeeded"]},
    "data is a list": lambda event, ref: {**event, "data": [event["data"]["object"]]},
    "data without object": lambda event, ref: {**event, "data": {}},
    "data.object is an id": lambda event, ref: {**event, "data": {"object": ref}},
}


@pytest.mark.parametrize("shape", NOT_EVENTS.values(), ids=NOT_EVENTS.keys())
def test_a_signed_body_that_is_not_an_event_object_is_refused_and_changes_nothing(
    client, paid_in_stripe, shape
):
    event = json.loads(event_payload("payment_intent.succeeded", intent_obj(paid_in_stripe)))
    before = nothing_changed_since(paid_in_stripe)
    response = signed_post(client, json.dumps(shape(event, paid_in_stripe.provider_reference)).encode())
    assert response.status_code == 400
    assert nothing_changed_since(paid_in_stripe) == before


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe{}", b'{"id": "evt_1", "type": "\xe6\x94"}', b"", b"{", b"[" * 100_000],
    ids=["bad utf-8", "cut utf-8", "empty", "cut json", "nested too deep"],
)
def test_a_signed_body_that_is_not_json_text_is_refused_and_changes_nothing(client, paid_in_stripe, body):
    before = nothing_changed_since(paid_in_stripe)
    assert signed_post(client, body).status_code == 400
    assert nothing_changed_since(paid_in_stripe) == before


# Signed this many seconds after (+) or before (-) the moment the webhook reads it.
@pytest.mark.parametrize(
    ("offset", "refusal"),
    [
        (-301, "outside the tolerance"),
        (-299, None),
        (0, None),
        (299, None),
        (301, "in the future"),
        (3600, "in the future"),
    ],
)
def test_only_signatures_within_five_minutes_of_now_either_side_are_accepted(
    client, paid_in_stripe, django_capture_on_commit_callbacks, offset, refusal
):
    now = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=datetime.UTC)
    body = event_payload("payment_intent.succeeded", intent_obj(paid_in_stripe)).encode()
    before = nothing_changed_since(paid_in_stripe)
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, body, timestamp=int(now.timestamp()) + offset)
    if refusal is None:
        assert response.status_code == 200
        paid_in_stripe.refresh_from_db()
        assert paid_in_stripe.status == "succeeded"
    else:
        assert response.status_code == 400
        assert refusal in response.content.decode()
        assert nothing_changed_since(paid_in_stripe) == before


def test_webhook_accepts_only_post(client, stripe_on):
    assert client.get(WEBHOOK).status_code == 405


def test_webhook_without_a_configured_secret_refuses_everything(settings, paid_in_stripe, post_event):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = post_event("payment_intent.succeeded", intent_obj(paid_in_stripe), secret="")
    assert response.status_code == 400


# --- success, replays, order of arrival ------------------------------------------------------


def test_succeeded_event_marks_the_order_paid_and_sends_the_confirmation(
    paid_in_stripe, post_event, django_capture_on_commit_callbacks, mailoutbox
):
    response = deliver(
        post_event, django_capture_on_commit_callbacks, "payment_intent.succeeded", intent_obj(paid_in_stripe)
    )
    assert response.status_code == 200
    paid_in_stripe.refresh_from_db()
    assert paid_in_stripe.status == "succeeded"
    assert paid_in_stripe.order.status == "paid"
    assert len(mailoutbox) == 1
    assert paid_in_stripe.order.user.email in mailoutbox[0].to
    assert StripeEvent.objects.get().payment == paid_in_stripe


def test_the_same_event_five_times_changes_state_once(
    paid_in_stripe, post_event, django_capture_on_commit_callbacks, mailoutbox
):
    for _ in range(5):
        response = deliver(
            post_event,
            django_capture_on_commit_callbacks,
            "payment_intent.succeeded",
            intent_obj(paid_in_stripe),
            event_id="evt_same_one",
        )
        assert response.status_code == 200
    paid_in_stripe.refresh_from_db()
    assert paid_in_stripe.status == "succeeded"
    assert len(mailoutbox) == 1
    assert StripeEvent.objects.filter(event_id="evt_same_one").count() == 1


def test_several_success_events_for_one_intent_send_one_confirmation(
    paid_in_stripe, post_event, django_capture_on_commit_callbacks, mailoutbox
):
    for _ in range(3):
        deliver(
            post_event,
            django_capture_on_commit_callbacks,
            "payment_intent.succeeded",
            intent_obj(paid_in_stripe),
        )
    paid_in_stripe.refresh_from_db()
    assert paid_in_stripe.status == "succeeded"
    assert len(mailoutbox) == 1


def test_posted_body_is_not_trusted(started, post_event, django_capture_on_commit_callbacks, mailoutbox):
    """A signed 'succeeded' for an intent Stripe says is unpaid changes nothing."""
    response = deliver(
        post_event,
        django_capture_on_commit_callbacks,
        "payment_intent.succeeded",
        intent_obj(started, status="succeeded", amount=52800, amount_received=52800),
    )
    assert response.status_code == 200
    started.refresh_from_db()
    assert started.status == "pending"
    assert started.order.status == "pending"
    assert mailoutbox == []


def test_failed_after_succeeded_stays_paid(paid_in_stripe, post_event, django_capture_on_commit_callbacks):
    deliver(
        post_event, django_capture_on_commit_callbacks, "payment_intent.succeeded", intent_obj(paid_in_stripe)
    )
    response = deliver(
        post_event,
        django_capture_on_commit_callbacks,
        "payment_intent.payment_failed",
        intent_obj(paid_in_stripe),
    )
    assert response.status_code == 200
    paid_in_stripe.refresh_from_db()
    assert paid_in_stripe.status == "succeeded"
    assert paid_in_stripe.order.status == "paid"


def test_failed_event_arriving_first_then_success_ends_paid(
    paid_in_stripe, post_event, django_capture_on_commit_callbacks
):
    """Stripe's current state decides: a stale 'failed' for a paid intent does not fail it."""
    deliver(
        post_event,
        django_capture_on_commit_callbacks,
        "payment_intent.payment_failed",
        intent_obj(paid_in_stripe),
    )
    deliver(
        post_event, django_capture_on_commit_callbacks, "payment_intent.succeeded", intent_obj(paid_in_stripe)
    )
    paid_in_stripe.refresh_from_db()
    assert paid_in_stripe.status == "succeeded"
    assert paid_in_stripe.order.status == "paid"


def test_declined_card_marks_the_payment_failed(
    stripe_on, started, post_event, django_capture_on_commit_callbacks
):
    import stripe

    with pytest.raises(stripe.CardError):
        confirm_as_browser(stripe_on, started.provider_reference, "pm_card_chargeCustomerFail")
    response = deliver(
        post_event, django_capture_on_commit_callbacks, "payment_intent.payment_failed", intent_obj(started)
    )
    assert response.status_code == 200
    started.refresh_from_db()
    assert started.status == "failed"
    assert started.order.status != "paid"


def test_canceled_intent_cancels_the_payment(
    stripe_on, started, post_event, django_capture_on_commit_callbacks
):
    stripe_on.v1.payment_intents.cancel(started.provider_reference)
    response = deliver(
        post_event, django_capture_on_commit_callbacks, "payment_intent.canceled", intent_obj(started)
    )
    assert response.status_code == 200
    started.refresh_from_db()
    assert started.status == "canceled"


def test_amount_mismatch_is_not_paid_and_is_flagged(
    stripe_on, started, post_event, django_capture_on_commit_callbacks, mailoutbox
):
    # Someone changed the intent's amount behind our back (or a bug did).
    stripe_on.v1.payment_intents.update(started.provider_reference, {"amount": 100})
    confirm_as_browser(stripe_on, started.provider_reference)
    response = deliver(
        post_event, django_capture_on_commit_callbacks, "payment_intent.succeeded", intent_obj(started)
    )
    assert response.status_code == 200
    started.refresh_from_db()
    order = started.order
    order.refresh_from_db()
    assert started.status != "succeeded"
    assert order.status != "paid"
    assert order.needs_attention is True


# --- unknown things -------------------------------------------------------------------------


def test_unknown_intent_is_acknowledged_and_changes_nothing(stripe_on, make_payment, post_event):
    other = stripe_on.v1.payment_intents.create({"amount": 500, "currency": "cny"})
    payment = make_payment()
    response = post_event("payment_intent.succeeded", {"id": other.id, "object": "payment_intent"})
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert not StripeEvent.objects.exists()


def test_intent_unknown_to_stripe_is_acknowledged(stripe_on, post_event):
    response = post_event("payment_intent.succeeded", {"id": "pi_doesnotexist", "object": "payment_intent"})
    assert response.status_code == 200
    assert not StripeEvent.objects.exists()


def test_unhandled_event_types_are_acknowledged(stripe_on, post_event):
    response = post_event("customer.created", {"id": "cus_123", "object": "customer"})
    assert response.status_code == 200
    assert not StripeEvent.objects.exists()


# --- locks ----------------------------------------------------------------------------------


def test_busy_payment_answers_503_and_the_event_is_processed_on_retry(
    paid_in_stripe, post_event, django_capture_on_commit_callbacks, monkeypatch, mailoutbox
):
    from orders.payments import webhooks

    def busy(model, pks):
        raise InventoryBusy()

    with monkeypatch.context() as patch:
        patch.setattr(webhooks, "lock_rows", busy)
        response = deliver(
            post_event,
            django_capture_on_commit_callbacks,
            "payment_intent.succeeded",
            intent_obj(paid_in_stripe),
            event_id="evt_retry_me",
        )
    assert response.status_code == 503
    assert not StripeEvent.objects.exists()
    paid_in_stripe.refresh_from_db()
    assert paid_in_stripe.status == "pending"

    response = deliver(
        post_event,
        django_capture_on_commit_callbacks,
        "payment_intent.succeeded",
        intent_obj(paid_in_stripe),
        event_id="evt_retry_me",
    )
    assert response.status_code == 200
    paid_in_stripe.refresh_from_db()
    assert paid_in_stripe.status == "succeeded"
    assert len(mailoutbox) == 1


def test_stripe_unreachable_answers_503(paid_in_stripe, post_event, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    response = post_event("payment_intent.succeeded", intent_obj(paid_in_stripe))
    assert response.status_code == 503
    assert not StripeEvent.objects.exists()


# --- refunds --------------------------------------------------------------------------------


def _pay(post_event, capture, payment):
    deliver(post_event, capture, "payment_intent.succeeded", intent_obj(payment))
    payment.refresh_from_db()
    assert payment.status == "succeeded"


def test_charge_refunded_records_a_refund_made_in_stripe(
    stripe_on, paid_in_stripe, post_event, django_capture_on_commit_callbacks
):
    _pay(post_event, django_capture_on_commit_callbacks, paid_in_stripe)
    # A refund made in Stripe's dashboard, not through us.
    refund = stripe_on.v1.refunds.create(
        {"payment_intent": paid_in_stripe.provider_reference, "amount": 12800}
    )
    charge_id = refund.charge

    for _ in range(2):
        response = deliver(
            post_event,
            django_capture_on_commit_callbacks,
            "charge.refunded",
            {"id": charge_id, "object": "charge"},
        )
        assert response.status_code == 200
    paid_in_stripe.refresh_from_db()
    assert paid_in_stripe.refunded_fen == 12800
    assert paid_in_stripe.status == "partially_refunded"
    assert list(paid_in_stripe.refunds.values_list("provider_reference", "amount_fen")) == [
        (refund.id, 12800)
    ]


def test_charge_refunded_after_our_own_refund_does_not_count_it_twice(
    stripe_on, paid_in_stripe, post_event, django_capture_on_commit_callbacks
):
    _pay(post_event, django_capture_on_commit_callbacks, paid_in_stripe)
    provider = get_provider("stripe")
    refund_id = provider.refund(paid_in_stripe, 52800, reason="cancelled")
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_recorded(paid_in_stripe, amount_fen=52800, provider_reference=refund_id)
    charge_id = stripe_on.v1.refunds.retrieve(refund_id).charge

    response = deliver(
        post_event,
        django_capture_on_commit_callbacks,
        "charge.refunded",
        {"id": charge_id, "object": "charge"},
    )
    assert response.status_code == 200
    paid_in_stripe.refresh_from_db()
    assert paid_in_stripe.refunded_fen == 52800
    assert paid_in_stripe.status == "refunded"
    assert paid_in_stripe.refunds.count() == 1
    with pytest.raises(RefundNotAllowed):
        provider.refund(paid_in_stripe, 1)


def test_event_rows_are_unique_by_event_id(db):
    from django.db import IntegrityError, transaction

    StripeEvent.objects.create(event_id="evt_1", event_type="payment_intent.succeeded")
    with pytest.raises(IntegrityError), transaction.atomic():
        StripeEvent.objects.create(event_id="evt_1", event_type="payment_intent.succeeded")


# --- localstripe's own delivery -------------------------------------------------------------


def _register_localstripe_webhook(localstripe_url, url, events):
    from urllib.parse import urlencode
    from urllib.request import Request, urlopen

    data = urlencode([("url", url), ("secret", WEBHOOK_SECRET)] + [("events[]", e) for e in events]).encode()
    with urlopen(Request(f"{localstripe_url}/_config/webhooks/tianyuan", data=data), timeout=5) as response:  # noqa: S310
        assert response.status == 200


@pytest.mark.real_clock  # localstripe signs the event with the real time
def test_localstripe_delivers_the_signed_event_itself(
    stripe_on,
    localstripe_url,
    live_server,
    transactional_db,
    django_db_serialized_rollback,
    make_payment,
    mailoutbox,
):
    payment = make_payment(total_fen=38800)
    get_provider("stripe").start(payment)
    payment.refresh_from_db()
    _register_localstripe_webhook(
        localstripe_url,
        f"{live_server.url}{WEBHOOK}",
        ["payment_intent.succeeded", "payment_intent.payment_failed"],
    )
    try:
        confirm_as_browser(stripe_on, payment.provider_reference)
        # localstripe waits a second before it posts; a loaded CI machine may take much longer.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            payment.refresh_from_db()
            # The e-mail leaves after the commit that marks the payment: wait for both.
            if payment.status != "pending" and mailoutbox:
                break
            time.sleep(0.2)
    finally:
        # Webhooks are per server: stop deliveries to this live server for the tests that follow.
        _register_localstripe_webhook(localstripe_url, "http://127.0.0.1:9/", ["tianyuan.none"])

    assert payment.status == "succeeded"
    assert payment.order.status == "paid"
    event = StripeEvent.objects.get()
    assert event.event_type == "payment_intent.succeeded"
    assert event.payment_id == payment.pk
    assert len(mailoutbox) == 1
