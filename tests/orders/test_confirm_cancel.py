from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders.exceptions import InvalidClaim, SoldOut
from orders.models import Reservation, ReservationStatus
from orders.reservations import Claim, cancel, confirm, release_expired, reserve
from orders.tasks import release_expired_holds

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def test_confirm_turns_a_live_hold_into_a_confirmed_reservation(units, row):
    [held] = reserve([Claim("tour", row.pk, 1)])
    [confirmed] = confirm([held])
    assert confirmed.status == ReservationStatus.CONFIRMED
    assert Reservation.objects.get(pk=held.pk).status == ReservationStatus.CONFIRMED


def test_confirm_accepts_ids(units, row):
    [held] = reserve([Claim("tour", row.pk, 1)])
    confirm([held.pk])
    assert Reservation.objects.get(pk=held.pk).status == ReservationStatus.CONFIRMED


def test_confirm_twice_is_harmless(units, row):
    [held] = reserve([Claim("tour", row.pk, 1)])
    confirm([held])
    [again] = confirm([held])
    assert again.status == ReservationStatus.CONFIRMED


def test_confirm_of_expired_hold_succeeds_when_capacity_remains(units, row):
    now = timezone.now()
    [held] = reserve([Claim("tour", row.pk, 1)], now=now)
    [confirmed] = confirm([held], now=now + timedelta(hours=2))
    assert confirmed.status == ReservationStatus.CONFIRMED


def test_confirm_of_expired_hold_raises_sold_out_when_capacity_was_taken(units, row):
    now = timezone.now()
    [late] = reserve([Claim("tour", row.pk, 1)], now=now)
    later = now + timedelta(hours=2)
    [taker] = reserve([Claim("tour", row.pk, 1)], now=later)
    with pytest.raises(SoldOut):
        confirm([late], now=later)
    assert Reservation.objects.get(pk=late.pk).status == ReservationStatus.HELD
    assert Reservation.objects.get(pk=taker.pk).status == ReservationStatus.HELD


def test_confirm_after_release_expired_still_rechecks_capacity(units, row):
    now = timezone.now()
    [late] = reserve([Claim("tour", row.pk, 1)], now=now)
    later = now + timedelta(hours=2)
    release_expired(now=later)
    [confirmed] = confirm([late], now=later)
    assert confirmed.status == ReservationStatus.CONFIRMED


def test_confirm_of_expired_stay_rechecks_every_night(nights, row, day):
    now = timezone.now()
    [late] = reserve([Claim("stay", row.pk, 1, day(1), day(4))], now=now)
    later = now + timedelta(hours=2)
    reserve([Claim("stay", row.pk, 1, day(3), day(5))], now=later)
    with pytest.raises(SoldOut):
        confirm([late], now=later)


def test_confirm_is_all_or_none(register_fake, row):
    register_fake("tour", per_night=False, units=1)
    now = timezone.now()
    [live] = reserve([Claim("tour", row.pk, 1)], hold_for=timedelta(hours=5), now=now)
    from tests.factories.orders import InventoryRowFactory

    other = InventoryRowFactory()
    [late] = reserve([Claim("tour", other.pk, 1)], now=now)
    later = now + timedelta(hours=2)
    reserve([Claim("tour", other.pk, 1)], now=later)
    with pytest.raises(SoldOut):
        confirm([live, late], now=later)
    assert Reservation.objects.get(pk=live.pk).status == ReservationStatus.HELD


def test_cancelled_reservation_cannot_be_confirmed(units, row):
    [held] = reserve([Claim("tour", row.pk, 1)])
    cancel([held])
    with pytest.raises(InvalidClaim):
        confirm([held])


def test_cancel_frees_capacity(units, row):
    [held] = reserve([Claim("tour", row.pk, 1)])
    confirm([held])
    cancel([held])
    [again] = reserve([Claim("tour", row.pk, 1)])
    assert Reservation.objects.get(pk=held.pk).status == ReservationStatus.CANCELLED
    assert again.status == ReservationStatus.HELD


def test_cancel_leaves_expired_reservations_alone(units, row):
    now = timezone.now()
    [held] = reserve([Claim("tour", row.pk, 1)], now=now)
    release_expired(now=now + timedelta(hours=1))
    cancel([held.pk])
    assert Reservation.objects.get(pk=held.pk).status == ReservationStatus.EXPIRED


def test_release_expired_marks_only_lapsed_holds(units, register_fake, row):
    from tests.factories.orders import ReservationFactory

    now = timezone.now()
    lapsed = ReservationFactory(hold_expires_at=now - timedelta(seconds=1))
    running = ReservationFactory(hold_expires_at=now + timedelta(minutes=5))
    confirmed = ReservationFactory(confirmed=True, hold_expires_at=now - timedelta(hours=1))
    assert release_expired(now=now) == 1
    statuses = dict(Reservation.objects.values_list("pk", "status"))
    assert statuses == {
        lapsed.pk: ReservationStatus.EXPIRED,
        running.pk: ReservationStatus.HELD,
        confirmed.pk: ReservationStatus.CONFIRMED,
    }


def test_release_expired_command_reports_its_count():
    from io import StringIO

    from tests.factories.orders import ReservationFactory

    ReservationFactory(hold_expires_at=timezone.now() - timedelta(minutes=1))
    out = StringIO()
    call_command("orders_release_expired", stdout=out)
    assert out.getvalue().startswith("1 ")
    assert Reservation.objects.get().status == ReservationStatus.EXPIRED


def test_release_expired_task_tidies_lapsed_holds():
    from tests.factories.orders import ReservationFactory

    ReservationFactory(hold_expires_at=timezone.now() - timedelta(minutes=1))
    result = release_expired_holds.enqueue()
    assert result.return_value == 1
    assert Reservation.objects.get().status == ReservationStatus.EXPIRED


def test_confirm_of_a_lapsed_hold_on_a_deleted_item_is_sold_out(units, row):
    now = timezone.now()
    [late] = reserve([Claim("tour", row.pk, 1)], now=now)
    row.delete()
    with pytest.raises(SoldOut):
        confirm([late], now=now + timedelta(hours=1))
