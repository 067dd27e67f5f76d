"""Real threads, real connections, PostgreSQL: the reservation lock under contention.

Each race has a control run with the lock switched off that must oversell, which proves the race
test could fail (STYLE.md). The window between counting and inserting is widened through the
``orders.reservations._after_count`` seam so the control oversells reliably.
"""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from orders import reservations
from orders.exceptions import InventoryBusy, SoldOut
from orders.locking import lock_rows
from orders.models import Reservation, ReservationKind
from orders.reservations import Claim, reserve
from orders.selectors import claimed_units
from tests.factories.orders import InventoryRowFactory, ReservationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CAPACITY = 10
ALREADY_SOLD = 7  # 3 units left
THREADS = 20


def race(obj_id, threads=THREADS):
    """Start ``threads`` bookings of 1 unit at the same instant; return Counter of outcomes."""
    barrier = threading.Barrier(threads)
    outcomes = []
    lock = threading.Lock()

    def book():
        try:
            connection.ensure_connection()  # connect before the start line, not after it
            barrier.wait(timeout=30)
            reserve([Claim(ReservationKind.TOUR, obj_id, 1)])
            outcome = "reserved"
        except SoldOut:
            outcome = "sold_out"
        except Exception as exc:  # reported, so a broken thread fails the test visibly
            outcome = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    workers = [threading.Thread(target=book) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return Counter(outcomes)


@pytest.fixture
def last_three_units(register_fake):
    register_fake("tour", per_night=False, units=CAPACITY)
    row = InventoryRowFactory()
    ReservationFactory(kind="tour", object_id=row.pk, quantity=ALREADY_SOLD, confirmed=True)
    return row


def test_twenty_bookings_racing_for_the_last_three_units_sell_exactly_three(last_three_units, monkeypatch):
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.02))
    outcomes = race(last_three_units.pk)
    assert outcomes == Counter(reserved=3, sold_out=THREADS - 3)
    assert claimed_units("tour", [last_three_units.pk])[last_three_units.pk] == CAPACITY


def test_control_without_the_lock_oversells(last_three_units, monkeypatch):
    def no_lock(model, pks):
        return model._default_manager.in_bulk(sorted(pks))

    monkeypatch.setattr(reservations, "lock_rows", no_lock)
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.3))
    outcomes = race(last_three_units.pk)
    assert outcomes["reserved"] > 3
    assert claimed_units("tour", [last_three_units.pk])[last_three_units.pk] > CAPACITY


def test_a_lock_held_too_long_gives_inventory_busy(register_fake, settings):
    settings.RESERVATION_LOCK_TIMEOUT_MS = 300
    register_fake("tour", per_night=False, units=CAPACITY)
    row = InventoryRowFactory()
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        try:
            with transaction.atomic():
                lock_rows(Group, [row.pk])
                locked.set()
                release.wait(timeout=15)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        started = time.monotonic()
        with pytest.raises(InventoryBusy) as excinfo:
            reserve([Claim("tour", row.pk, 1)])
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join(timeout=15)
    assert 0.25 <= waited < 5
    assert excinfo.value.code == "inventory_busy"
    assert not Reservation.objects.filter(object_id=row.pk).exists()


def test_release_expired_skips_rows_another_transaction_holds():
    lapsed = ReservationFactory(hold_expires_at=timezone.now() - timedelta(minutes=1))
    locked, release = threading.Event(), threading.Event()

    def hold_row():
        try:
            with transaction.atomic():
                list(Reservation.objects.select_for_update().filter(pk=lapsed.pk))
                locked.set()
                release.wait(timeout=15)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_row)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        started = time.monotonic()
        released = reservations.release_expired()
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join(timeout=15)
    assert released == 0
    assert waited < 2
    assert reservations.release_expired() == 1
