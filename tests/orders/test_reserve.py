from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from orders.exceptions import DatesUnavailable, InvalidClaim, SoldOut
from orders.models import Reservation, ReservationStatus
from orders.reservations import Claim, reserve
from tests.factories.orders import InventoryRowFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def test_reserve_inserts_a_held_reservation_with_expiry(units, row):
    now = timezone.now()
    [reservation] = reserve([Claim("tour", row.pk, 1)], hold_for=timedelta(minutes=20), now=now)
    reservation.refresh_from_db()
    assert reservation.status == ReservationStatus.HELD
    assert reservation.hold_expires_at == now + timedelta(minutes=20)
    assert reservation.inventory_key == f"tour:{row.pk}"


def test_last_unit_cannot_be_booked_twice(units, row):
    reserve([Claim("tour", row.pk, 1)])
    with pytest.raises(SoldOut) as excinfo:
        reserve([Claim("tour", row.pk, 1)])
    assert excinfo.value.claim == Claim("tour", row.pk, 1)
    assert excinfo.value.code == "sold_out"
    assert Reservation.objects.count() == 1


def test_quantity_above_capacity_is_sold_out(register_fake, row):
    register_fake("tour", per_night=False, units=3)
    with pytest.raises(SoldOut):
        reserve([Claim("tour", row.pk, 4)])


def test_units_up_to_capacity_are_all_sold(register_fake, row):
    register_fake("tour", per_night=False, units=3)
    reserve([Claim("tour", row.pk, 2)])
    reserve([Claim("tour", row.pk, 1)])
    with pytest.raises(SoldOut):
        reserve([Claim("tour", row.pk, 1)])


def test_claims_on_the_same_thing_in_one_call_count_together(units, row):
    with pytest.raises(SoldOut):
        reserve([Claim("tour", row.pk, 1), Claim("tour", row.pk, 1)])
    assert not Reservation.objects.exists()


def test_stay_overlapping_one_full_night_is_refused(nights, row, day):
    reserve([Claim("stay", row.pk, 1, day(3), day(4))])
    with pytest.raises(SoldOut):
        reserve([Claim("stay", row.pk, 1, day(1), day(5))])


def test_adjacent_stays_both_fit_in_a_one_unit_inventory(nights, row, day):
    reserve([Claim("stay", row.pk, 1, day(1), day(3))])
    reserve([Claim("stay", row.pk, 1, day(3), day(5))])
    assert Reservation.objects.live().count() == 2


def test_each_night_has_its_own_capacity(register_fake, row, day):
    register_fake("stay", per_night=True, units=2)
    reserve([Claim("stay", row.pk, 1, day(0), day(2))])
    reserve([Claim("stay", row.pk, 1, day(1), day(3))])  # night day(1) is now full
    reserve([Claim("stay", row.pk, 1, day(2), day(4))])
    with pytest.raises(SoldOut):
        reserve([Claim("stay", row.pk, 1, day(1), day(2))])


def test_closed_night_is_refused_as_dates_unavailable(nights, row, day):
    nights.closed.add(day(2))
    with pytest.raises(DatesUnavailable):
        reserve([Claim("stay", row.pk, 1, day(1), day(4))])


def test_other_rows_do_not_share_capacity(units, row):
    other = InventoryRowFactory()
    reserve([Claim("tour", row.pk, 1)])
    [reservation] = reserve([Claim("tour", other.pk, 1)])
    assert reservation.object_id == other.pk


def test_expired_hold_stops_counting_without_any_cleanup(units, row):
    now = timezone.now()
    reserve([Claim("tour", row.pk, 1)], hold_for=timedelta(minutes=30), now=now)
    later = now + timedelta(minutes=31)
    [second] = reserve([Claim("tour", row.pk, 1)], now=later)
    assert second.status == ReservationStatus.HELD
    assert Reservation.objects.filter(status=ReservationStatus.HELD).count() == 2


def test_hold_still_counts_until_its_expiry(units, row):
    now = timezone.now()
    reserve([Claim("tour", row.pk, 1)], hold_for=timedelta(minutes=30), now=now)
    with pytest.raises(SoldOut):
        reserve([Claim("tour", row.pk, 1)], now=now + timedelta(minutes=29))


def test_all_or_none_second_claim_failing_inserts_nothing(units, row):
    full = InventoryRowFactory()
    reserve([Claim("tour", full.pk, 1)])
    with pytest.raises(SoldOut) as excinfo:
        reserve([Claim("tour", row.pk, 1), Claim("tour", full.pk, 1)])
    assert excinfo.value.claim.obj_id == full.pk
    assert not Reservation.objects.filter(object_id=row.pk).exists()


def test_all_or_none_across_kinds(units, nights, row, day):
    reserve([Claim("stay", row.pk, 1, day(1), day(2))])
    with pytest.raises(SoldOut):
        reserve([Claim("tour", row.pk, 1), Claim("stay", row.pk, 1, day(1), day(2))])
    assert not Reservation.objects.filter(kind="tour").exists()


def test_quantity_zero_is_refused(units, row):
    with pytest.raises(InvalidClaim):
        reserve([Claim("tour", row.pk, 0)])
    assert not Reservation.objects.exists()


def test_negative_quantity_is_refused(units, row):
    with pytest.raises(InvalidClaim):
        reserve([Claim("tour", row.pk, -2)])


def test_unknown_object_is_an_invalid_claim(units):
    with pytest.raises(InvalidClaim) as excinfo:
        reserve([Claim("tour", 999_999, 1)])
    assert excinfo.value.code == "invalid_claim"


def test_unregistered_kind_is_an_invalid_claim(register_fake, row):
    with pytest.raises(InvalidClaim):
        reserve([Claim("no-such-kind", row.pk, 1)])


def test_past_dates_are_refused(nights, row, day):
    with pytest.raises(DatesUnavailable):
        reserve([Claim("stay", row.pk, 1, day(-2), day(1))])


def test_end_not_after_start_is_refused(nights, row, day):
    with pytest.raises(DatesUnavailable):
        reserve([Claim("stay", row.pk, 1, day(2), day(2))])


def test_per_night_claim_without_dates_is_refused(nights, row):
    with pytest.raises(InvalidClaim):
        reserve([Claim("stay", row.pk, 1)])


def test_today_is_the_town_day_not_the_utc_day(nights, row):
    # 17:30 UTC on 1 May is already 01:30 on 2 May in Shanghai: 1 May is in the past there.
    now = datetime(2030, 5, 1, 17, 30, tzinfo=ZoneInfo("UTC"))
    shanghai_today = now.astimezone(ZoneInfo("Asia/Shanghai")).date()
    with pytest.raises(DatesUnavailable):
        reserve([Claim("stay", row.pk, 1, now.date(), shanghai_today + timedelta(days=1))], now=now)
    [ok] = reserve([Claim("stay", row.pk, 1, shanghai_today, shanghai_today + timedelta(days=1))], now=now)
    assert ok.start_date == shanghai_today


def test_inventory_validate_can_refuse_a_claim(units, row):
    units.validate_error = DatesUnavailable("Sales have closed.")
    with pytest.raises(DatesUnavailable, match="Sales have closed."):
        reserve([Claim("tour", row.pk, 1)])


def test_holder_is_recorded(units, row, django_user_model):
    user = django_user_model.objects.create_user(email="guest@example.com", password="x")
    [reservation] = reserve([Claim("tour", row.pk, 1)], holder=user)
    assert reservation.holder == user


def test_claims_come_back_in_the_order_given(register_fake, day):
    register_fake("tour", per_night=False, units=5)
    first, second = InventoryRowFactory(), InventoryRowFactory()
    result = reserve([Claim("tour", second.pk, 2), Claim("tour", first.pk, 1)])
    assert [(r.object_id, r.quantity) for r in result] == [(second.pk, 2), (first.pk, 1)]
