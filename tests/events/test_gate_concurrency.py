"""PostgreSQL, real threads: one voucher scanned at two gates' phones at once is admitted once, and
an unpaid on-site order collected by several staff at once is paid once."""

from collections import Counter

import pytest

from events import gate as gate_service
from orders import order_state
from orders.models import OrderStatus, Payment, PaymentStatus, Voucher
from orders.vouchers import CheckInResult
from tests.concurrency import at_once
from tests.factories.accounts import UserFactory

from .ticket_fixtures import buy_tickets

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SCANS = 12


def test_simultaneous_scans_admit_once(visitor, festival, day_pass):
    staff = UserFactory(is_staff=True)
    result = buy_tickets(visitor, day_pass, 2)
    order_state.mark_paid_on_site(result.order, by_user=staff)
    code = Voucher.objects.get(order_line__order=result.order).code
    gate = gate_service.get_gate(f"event-{festival.pk}")
    counts = at_once([lambda: gate_service.admit(gate, code, by_user=staff).result] * SCANS)
    assert counts[CheckInResult.ADMITTED] == 1, counts
    assert counts[CheckInResult.ALREADY_USED] == SCANS - 1, counts
    assert gate_service.gate_counts(gate) == (2, 2)


def test_staff_pressing_collected_at_once_record_one_payment(visitor, festival, day_pass):
    result = buy_tickets(visitor, day_pass, 2)
    code = Voucher.objects.get(order_line__order=result.order).code
    gate = gate_service.get_gate(f"event-{festival.pk}")
    staff = [UserFactory(is_staff=True) for _ in range(SCANS)]

    def press(user):
        return lambda: gate_service.admit(gate, code, by_user=user, collect=True).result

    counts = at_once([press(user) for user in staff])
    assert counts[CheckInResult.ADMITTED] == 1, counts
    assert counts[CheckInResult.ALREADY_USED] == SCANS - 1, counts
    payment = Payment.objects.get(order=result.order)
    assert payment.status == PaymentStatus.SUCCEEDED
    voucher = Voucher.objects.get(code=code)
    assert payment.recorded_by == voucher.used_by  # whoever got in first took the money and admitted
    result.order.refresh_from_db()
    assert result.order.status == OrderStatus.PAID
    assert gate_service.gate_counts(gate) == (2, 2)


def test_marking_paid_at_once_records_it_once_with_one_name(visitor, festival, day_pass):
    result = buy_tickets(visitor, day_pass, 1)
    staff = [UserFactory(is_staff=True) for _ in range(SCANS)]

    def mark(user):
        return lambda: order_state.mark_paid_on_site(result.order, by_user=user)

    counts = at_once([mark(user) for user in staff])
    assert counts == Counter({"paid": 1, "duplicate": SCANS - 1}), counts
    assert Payment.objects.get(order=result.order).recorded_by in staff
