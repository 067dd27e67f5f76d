"""Online orders left unpaid are cancelled once their holds are past the grace period."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from orders import order_state, tasks
from orders.models import Order, OrderStatus, PaymentStatus, Refund, ReservationStatus
from tests.factories.accounts import VerifiedUserFactory

from .checkout_fixtures import basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]


def expired_ago(order, delta):
    when = timezone.now() - delta
    Order.objects.filter(pk=order.pk).update(hold_expires_at=when)
    order.lines.get().reservations.update(hold_expires_at=when)


@pytest.fixture
def unpaid(visitor, stay_room, arrival, fake_online, django_capture_on_commit_callbacks):
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="fake_online").order
    assert order.status == OrderStatus.PENDING
    return order


def test_unpaid_order_past_the_grace_is_cancelled_once(unpaid, django_capture_on_commit_callbacks):
    expired_ago(unpaid, timedelta(hours=2, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert order_state.cancel_unpaid_orders() == 1
    unpaid.refresh_from_db()
    assert unpaid.status == OrderStatus.CANCELLED
    assert unpaid.cancel_reason == "Not paid in time."
    assert unpaid.payments.get().status == PaymentStatus.CANCELED
    assert {r.status for r in unpaid.lines.get().reservations.all()} == {ReservationStatus.CANCELLED}
    assert len(mail.outbox) == 1 and unpaid.reference in mail.outbox[0].subject
    # Idempotent: a second run finds nothing to do and mails nobody.
    with django_capture_on_commit_callbacks(execute=True):
        assert order_state.cancel_unpaid_orders() == 0
        assert order_state.cancel_unpaid(unpaid) is False
    assert len(mail.outbox) == 1


def test_within_the_grace_period_the_order_waits(unpaid):
    expired_ago(unpaid, timedelta(hours=1, minutes=59))
    assert order_state.cancel_unpaid_orders() == 0
    unpaid.refresh_from_db()
    assert unpaid.status == OrderStatus.PENDING


def test_grace_comes_from_the_setting(unpaid, settings):
    expired_ago(unpaid, timedelta(minutes=20))
    settings.ORDERS_UNPAID_GRACE_MINUTES = 30
    assert order_state.cancel_unpaid_orders() == 0
    settings.ORDERS_UNPAID_GRACE_MINUTES = 10
    assert order_state.cancel_unpaid_orders() == 1


def test_paid_and_on_site_orders_are_never_touched(
    unpaid, stay_room, arrival, django_capture_on_commit_callbacks
):
    payment = unpaid.payments.get()
    with django_capture_on_commit_callbacks(execute=True):
        order_state.payment_succeeded(payment, amount_fen=payment.amount_fen, currency="CNY")
    expired_ago(unpaid, timedelta(days=1))

    other = VerifiedUserFactory()
    basket_with_stay(other, stay_room, arrival + timedelta(days=7))
    on_site = check_out(other).order
    assert on_site.status == OrderStatus.CONFIRMED
    expired_ago(on_site, timedelta(days=1))

    assert order_state.cancel_unpaid_orders() == 0
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.PAID, OrderStatus.CONFIRMED}


def test_the_provider_is_asked_to_stop_and_its_errors_never_crash(
    unpaid, fake_online, django_capture_on_commit_callbacks, caplog
):
    asked = []

    def broken_cancel(payment):
        asked.append(payment.pk)
        raise RuntimeError("provider down")

    fake_online.cancel = broken_cancel
    expired_ago(unpaid, timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert order_state.cancel_unpaid_orders() == 1
    assert asked == [unpaid.payments.get().pk]
    assert "provider down" in caplog.text
    unpaid.refresh_from_db()
    assert unpaid.status == OrderStatus.CANCELLED


def test_money_arriving_after_the_tidy_is_refunded(unpaid, fake_online, django_capture_on_commit_callbacks):
    expired_ago(unpaid, timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        order_state.cancel_unpaid_orders()
    payment = unpaid.payments.get()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = order_state.payment_succeeded(payment, amount_fen=payment.amount_fen, currency="CNY")
    assert outcome == "refunding"
    assert fake_online.refunds == [(payment.pk, payment.amount_fen)]
    assert Refund.objects.get().amount_fen == payment.amount_fen
    unpaid.refresh_from_db()
    assert unpaid.status == OrderStatus.REFUNDED


def test_command_and_task(unpaid, django_capture_on_commit_callbacks, capsys):
    expired_ago(unpaid, timedelta(minutes=45))
    call_command("orders_cancel_unpaid")
    assert "0 unpaid order(s) cancelled" in capsys.readouterr().out
    call_command("orders_cancel_unpaid", "--grace-minutes", "30")
    assert "1 unpaid order(s) cancelled" in capsys.readouterr().out
    unpaid.refresh_from_db()
    assert unpaid.status == OrderStatus.CANCELLED
    assert tasks.cancel_unpaid_orders.enqueue().return_value == 0
