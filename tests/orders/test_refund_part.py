"""Staff refund part of an order without cancelling it: the service and the admin form."""

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from orders import order_state, refunds
from orders.exceptions import OrderStateError
from orders.models import OrderStatus, PaymentStatus, Refund, RefundRequest, Reservation, ReservationStatus
from tests.factories.accounts import SuperuserFactory, VerifiedUserFactory

from .checkout_fixtures import basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def staff(db):
    return SuperuserFactory()


@pytest.fixture
def paid_on_site(visitor, stay_room, arrival, staff, django_capture_on_commit_callbacks):
    """A two-night stay (¥600.00) paid at the homestay; the confirmation mail already sent."""
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor).order
        order_state.mark_paid_on_site(order, by_user=staff)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.total_fen == 60000
    mail.outbox.clear()
    return order


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def english_staff_client(staff_client, staff):
    """The admin follows the user's preferred language, not the browser's: English here."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(staff)
    profile.preferred_language = "en"
    profile.save()
    return staff_client


def manage_url(order):
    return reverse("orders_admin_manage", args=[order.pk])


# --- the service ------------------------------------------------------------------------------


def test_part_refund_keeps_the_order_and_tells_the_visitor(
    paid_on_site, staff, visitor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = refunds.refund_part(paid_on_site, 1250, reason="Breakfast was not served", by_user=staff)
    assert result.refunded_fen == 1250 and result.failed_fen == 0
    refund = Refund.objects.get()
    assert refund.amount_fen == 1250
    assert refund.reason == "Breakfast was not served"
    assert refund.created_by == staff
    assert refund.manual is True  # on-site money goes back by hand: recorded
    payment = paid_on_site.payments.get()
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED and payment.refunded_fen == 1250
    paid_on_site.refresh_from_db()
    assert paid_on_site.status == OrderStatus.PAID
    assert paid_on_site.needs_attention is False
    assert set(Reservation.objects.values_list("status", flat=True)) == {ReservationStatus.CONFIRMED}
    (message,) = mail.outbox
    assert message.to == [visitor.email]
    assert "¥12.50" in message.body and "Breakfast was not served" in message.body


def test_refunding_what_is_left_marks_the_payment_refunded_not_the_order(
    paid_on_site, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_part(paid_on_site, 10000, reason="Rain", by_user=staff)
        refunds.refund_part(paid_on_site, 50000, reason="More rain", by_user=staff)
    payment = paid_on_site.payments.get()
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_fen == 60000
    assert [r.amount_fen for r in Refund.objects.order_by("pk")] == [10000, 50000]
    paid_on_site.refresh_from_db()
    assert paid_on_site.status == OrderStatus.PAID
    with pytest.raises(OrderStateError) as error:
        refunds.refund_part(paid_on_site, 1, reason="Once more", by_user=staff)
    assert error.value.code == "nothing_paid"
    assert Refund.objects.count() == 2


@pytest.mark.parametrize("amount", [0, -100, 60001, 12.5, "1250", True, None])
def test_bad_amounts_are_refused_and_nothing_is_written(paid_on_site, staff, amount):
    with pytest.raises(OrderStateError) as error:
        refunds.refund_part(paid_on_site, amount, reason="x", by_user=staff)
    assert error.value.code == "bad_amount"
    assert not Refund.objects.exists()
    assert paid_on_site.payments.get().status == PaymentStatus.SUCCEEDED


def test_a_reason_is_required(paid_on_site, staff):
    with pytest.raises(OrderStateError) as error:
        refunds.refund_part(paid_on_site, 100, reason="   ", by_user=staff)
    assert error.value.code == "reason_required"
    assert not Refund.objects.exists()


def test_unpaid_order_has_nothing_to_refund(visitor, stay_room, arrival, staff):
    basket_with_stay(visitor, stay_room, arrival)
    order = check_out(visitor).order  # on site, not yet paid
    with pytest.raises(OrderStateError) as error:
        refunds.refund_part(order, 100, reason="x", by_user=staff)
    assert error.value.code == "nothing_paid"
    assert not Refund.objects.exists()


def test_rest_of_a_cancelled_order_refunded_makes_it_refunded(
    paid_on_site, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order_state.cancel_order(paid_on_site, by_user=staff, staff=True, reason="Flood", refund_fen=20000)
    paid_on_site.refresh_from_db()
    assert paid_on_site.status == OrderStatus.CANCELLED
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_part(paid_on_site, 40000, reason="Goodwill: the rest", by_user=staff)
    paid_on_site.refresh_from_db()
    assert paid_on_site.status == OrderStatus.REFUNDED
    assert paid_on_site.payments.get().refunded_fen == 60000


def test_a_refund_the_provider_refuses_is_flagged_for_staff(
    visitor, stay_room, arrival, staff, fake_online, django_capture_on_commit_callbacks
):
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="fake_online").order
        payment = order.payments.get()
        order_state.payment_succeeded(payment, amount_fen=payment.amount_fen, currency="CNY")
    fake_online.can_refund_online = lambda payment: False  # past Alipay's 90 days, say
    result = refunds.refund_part(order, 5000, reason="Late refund", by_user=staff)
    assert result.refunds == [] and result.failed_fen == 5000
    order.refresh_from_db()
    assert order.needs_attention is True and "5000 fen" in order.staff_note
    assert not Refund.objects.exists()
    # Staff pay it back by hand and record it: nothing goes through the provider.
    result = refunds.refund_part(order, 5000, reason="Paid back in cash", by_user=staff, manual=True)
    assert result.refunded_fen == 5000 and fake_online.refunds == []
    assert Refund.objects.get().manual is True


def test_a_refund_the_webhook_booked_first_is_not_reported_failed(
    visitor, stay_room, arrival, staff, fake_online, django_capture_on_commit_callbacks
):
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="fake_online").order
        payment = order.payments.get()
        order_state.payment_succeeded(payment, amount_fen=payment.amount_fen, currency="CNY")
    provider_refund = fake_online.refund

    def refund_then_webhook(payment, amount, reason=""):
        reference = provider_refund(payment, amount, reason=reason)
        # The provider's refund webhook arrives before refund_payment books the refund itself.
        refunds.refund_recorded(payment, amount_fen=amount, provider_reference=reference, keep_order=True)
        return reference

    fake_online.refund = refund_then_webhook
    result = refunds.refund_part(order, 5000, reason="Room too cold", by_user=staff)
    assert result.failed_fen == 0 and result.refunded_fen == 5000
    assert Refund.objects.count() == 1
    payment.refresh_from_db()
    assert payment.refunded_fen == 5000


def test_the_same_token_twice_refunds_once_and_returns_the_first_request(
    paid_on_site, staff, django_capture_on_commit_callbacks
):
    form = {"reason": "Double click", "by_user": staff, "token": uuid.uuid4()}
    with django_capture_on_commit_callbacks(execute=True):
        first = refunds.refund_part(paid_on_site, 5000, **form)
        second = refunds.refund_part(paid_on_site, 5000, **form)
    assert first.refunded_fen == 5000 and first.repeated is None
    assert second.refunds == [] and second.repeated == RefundRequest.objects.get(token=form["token"])
    assert (second.repeated.amount_fen, second.repeated.created_by) == (5000, staff)
    assert Refund.objects.get().amount_fen == 5000
    assert paid_on_site.payments.get().refunded_fen == 5000
    assert len(mail.outbox) == 1
    # Another token is another request.
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_part(paid_on_site, 5000, reason="Again", by_user=staff, token=uuid.uuid4())
    assert paid_on_site.payments.get().refunded_fen == 10000


def test_a_token_sent_again_after_everything_was_refunded_is_still_a_repeat(paid_on_site, staff):
    token = str(uuid.uuid4())
    refunds.refund_part(paid_on_site, 60000, reason="All", by_user=staff, token=token)
    again = refunds.refund_part(paid_on_site, 60000, reason="All", by_user=staff, token=token)
    assert again.repeated is not None and again.refunds == []
    assert Refund.objects.count() == 1


def test_a_refused_request_leaves_its_token_free(paid_on_site, staff):
    token = uuid.uuid4()
    with pytest.raises(OrderStateError):
        refunds.refund_part(paid_on_site, 60001, reason="Too much", by_user=staff, token=token)
    assert not RefundRequest.objects.exists()
    result = refunds.refund_part(paid_on_site, 600, reason="Corrected", by_user=staff, token=token)
    assert result.refunded_fen == 600 and result.repeated is None


def test_a_malformed_token_is_refused(paid_on_site, staff):
    with pytest.raises(OrderStateError) as error:
        refunds.refund_part(paid_on_site, 100, reason="x", by_user=staff, token="not-a-uuid")
    assert error.value.code == "bad_token"
    assert not Refund.objects.exists() and not RefundRequest.objects.exists()


# --- the admin form ---------------------------------------------------------------------------


def test_staff_refund_form_takes_yuan(staff_client, paid_on_site, staff, django_capture_on_commit_callbacks):
    page = staff_client.get(manage_url(paid_on_site))
    assert page.status_code == 200
    assert 'name="amount_yuan"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            manage_url(paid_on_site),
            {
                "action": "refund",
                "token": str(uuid.uuid4()),
                "amount_yuan": "12.50",
                "reason": "Breakfast was not served",
            },
        )
    assert response.status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount_fen, refund.reason, refund.created_by) == (1250, "Breakfast was not served", staff)
    paid_on_site.refresh_from_db()
    assert paid_on_site.status == OrderStatus.PAID
    page = staff_client.get(manage_url(paid_on_site)).content.decode()
    assert "Breakfast was not served" in page and "¥587.50" in page  # what is left paid


@pytest.mark.parametrize(
    ("amount", "reason", "field"),
    [
        ("0", "x", "amount_yuan"),
        ("0.00", "x", "amount_yuan"),
        ("-5", "x", "amount_yuan"),
        ("600.01", "x", "amount_yuan"),  # more than was paid
        ("10000", "x", "amount_yuan"),
        ("abc", "x", "amount_yuan"),
        ("12.505", "x", "amount_yuan"),  # three decimals
        ("NaN", "x", "amount_yuan"),
        ("", "x", "amount_yuan"),
        ("12.50", "", "reason"),
        ("12.50", "   ", "reason"),
    ],
)
def test_bad_form_input_is_a_form_error_and_writes_nothing(staff_client, paid_on_site, amount, reason, field):
    response = staff_client.post(
        manage_url(paid_on_site),
        {"action": "refund", "token": str(uuid.uuid4()), "amount_yuan": amount, "reason": reason},
    )
    assert response.status_code == 422
    assert response.context["refund_form"].errors[field]
    assert not Refund.objects.exists()
    payment = paid_on_site.payments.get()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.refunded_fen == 0
    assert mail.outbox == []


def test_the_whole_amount_can_be_refunded_from_the_form(
    staff_client, paid_on_site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            manage_url(paid_on_site),
            {"action": "refund", "token": str(uuid.uuid4()), "amount_yuan": "600", "reason": "All"},
        )
    assert paid_on_site.payments.get().status == PaymentStatus.REFUNDED
    # Nothing is left: the form is gone and a second post is refused.
    page = staff_client.get(manage_url(paid_on_site)).content.decode()
    assert 'name="amount_yuan"' not in page
    response = staff_client.post(
        manage_url(paid_on_site),
        {"action": "refund", "token": str(uuid.uuid4()), "amount_yuan": "1", "reason": "x"},
    )
    assert response.status_code == 422
    assert Refund.objects.count() == 1


def test_hosts_cannot_refund(client, paid_on_site):
    from django.contrib.auth.models import Permission

    host = VerifiedUserFactory()
    host.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    paid_on_site.lines.update(provider_user=host)
    client.force_login(host)
    page = client.get(manage_url(paid_on_site))
    assert page.status_code == 200 and 'name="amount_yuan"' not in page.content.decode()
    client.post(
        manage_url(paid_on_site),
        {"action": "refund", "token": str(uuid.uuid4()), "amount_yuan": "10", "reason": "mine"},
    )
    assert not Refund.objects.exists()


def test_the_same_form_sent_twice_refunds_once(
    english_staff_client, paid_on_site, django_capture_on_commit_callbacks
):
    staff_client = english_staff_client
    data = {"action": "refund", "token": str(uuid.uuid4()), "amount_yuan": "50", "reason": "Double click"}
    with django_capture_on_commit_callbacks(execute=True):
        first = staff_client.post(manage_url(paid_on_site), data)
        second = staff_client.post(manage_url(paid_on_site), data)
    assert first.status_code == second.status_code == 302
    assert Refund.objects.get().amount_fen == 5000
    page = staff_client.get(manage_url(paid_on_site)).content.decode()
    assert "This refund form was already sent (¥50.00 at" in page
    assert paid_on_site.payments.get().refunded_fen == 5000
    # A fresh form (a new token) may refund again.
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(manage_url(paid_on_site), {**data, "token": str(uuid.uuid4())})
    assert paid_on_site.payments.get().refunded_fen == 10000


def test_the_whole_amount_sent_twice_says_already_sent(
    english_staff_client, paid_on_site, django_capture_on_commit_callbacks
):
    """The second post can no longer pass the form's cap; it is still told it was a repeat."""
    staff_client = english_staff_client
    data = {"action": "refund", "token": str(uuid.uuid4()), "amount_yuan": "600", "reason": "All"}
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(manage_url(paid_on_site), data)
        response = staff_client.post(manage_url(paid_on_site), data, follow=True)
    assert response.status_code == 200
    assert "This refund form was already sent (¥600.00 at" in response.content.decode()
    assert Refund.objects.count() == 1
