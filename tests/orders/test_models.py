from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from orders.models import Reservation, ReservationStatus
from tests.factories.orders import ReservationFactory

pytestmark = pytest.mark.django_db


def insert(**fields):
    values = {
        "kind": "tour",
        "inventory_key": "tour:1",
        "object_id": 1,
        "quantity": 1,
        "status": ReservationStatus.HELD,
        "hold_expires_at": timezone.now() + timedelta(minutes=5),
    }
    values.update(fields)
    with transaction.atomic():
        return Reservation.objects.create(**values)


def test_database_refuses_a_zero_quantity():
    with pytest.raises(IntegrityError):
        insert(quantity=0)


def test_database_refuses_a_negative_quantity():
    with pytest.raises(IntegrityError):
        insert(quantity=-1)


def test_database_refuses_an_end_date_not_after_the_start():
    with pytest.raises(IntegrityError):
        insert(start_date=date(2030, 1, 5), end_date=date(2030, 1, 5))


def test_database_refuses_a_hold_without_expiry():
    with pytest.raises(IntegrityError):
        insert(hold_expires_at=None)


def test_database_accepts_a_confirmed_reservation_without_expiry():
    assert insert(status=ReservationStatus.CONFIRMED, hold_expires_at=None).pk


def test_live_counts_confirmed_and_running_holds_only():
    now = timezone.now()
    confirmed = ReservationFactory(confirmed=True)
    running = ReservationFactory(hold_expires_at=now + timedelta(seconds=1))
    ReservationFactory(hold_expires_at=now)
    ReservationFactory(status=ReservationStatus.CANCELLED)
    assert set(Reservation.objects.live(now)) == {confirmed, running}
