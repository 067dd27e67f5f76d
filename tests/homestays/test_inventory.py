"""Room types as the "stay" inventory, booked through homestays.services.reserve_stay."""

from datetime import timedelta

import pytest

from homestays.inventory import RoomTypeInventory
from homestays.models import RateRuleKind
from homestays.services import reserve_stay
from orders.exceptions import DatesUnavailable, InvalidClaim, SoldOut
from orders.inventory import get_inventory
from orders.models import ReservationStatus
from tests.factories.homestays import RoomRateRuleFactory, RoomTypeFactory

pytestmark = pytest.mark.django_db


def test_stay_kind_is_served_by_room_types():
    assert isinstance(get_inventory("stay"), RoomTypeInventory)


def test_capacity_is_the_unit_count(room, monday):
    assert get_inventory("stay").capacity(room, monday) == 2


def test_capacity_is_zero_on_a_closed_night(room, monday):
    RoomRateRuleFactory(room_type=room, kind=RateRuleKind.CLOSED, start_date=monday, end_date=monday)
    assert get_inventory("stay").capacities(room, [monday, monday + timedelta(days=1)]) == {
        monday: 0,
        monday + timedelta(days=1): 2,
    }


def test_reserve_stay_holds_the_rooms(room, monday):
    reservation = reserve_stay(room.pk, monday, monday + timedelta(days=2), guests=2)
    assert (reservation.object_id, reservation.quantity, reservation.status) == (
        room.pk,
        1,
        ReservationStatus.HELD,
    )
    assert (reservation.start_date, reservation.end_date) == (monday, monday + timedelta(days=2))


def test_last_room_cannot_be_booked_twice(homestay, monday):
    single = RoomTypeFactory(page=homestay, units=1)
    reserve_stay(single.pk, monday, monday + timedelta(days=2), guests=1)
    with pytest.raises(SoldOut):
        reserve_stay(single.pk, monday + timedelta(days=1), monday + timedelta(days=3), guests=1)


def test_back_to_back_stays_share_the_room(homestay, monday):
    single = RoomTypeFactory(page=homestay, units=1)
    reserve_stay(single.pk, monday, monday + timedelta(days=2), guests=1)
    second = reserve_stay(single.pk, monday + timedelta(days=2), monday + timedelta(days=3), guests=1)
    assert second.pk is not None


def test_more_guests_than_the_room_sleeps_is_refused(room, monday):
    with pytest.raises(InvalidClaim):
        reserve_stay(room.pk, monday, monday + timedelta(days=1), guests=3)


def test_more_guests_fit_in_more_rooms(room, monday):
    reservation = reserve_stay(room.pk, monday, monday + timedelta(days=1), guests=3, rooms=2)
    assert reservation.quantity == 2


def test_closed_night_is_refused_as_dates_unavailable(room, monday):
    RoomRateRuleFactory(room_type=room, kind=RateRuleKind.CLOSED, start_date=monday, end_date=monday)
    with pytest.raises(DatesUnavailable):
        reserve_stay(room.pk, monday, monday + timedelta(days=2), guests=1)


def test_minimum_nights_rule_is_enforced(room, monday):
    RoomRateRuleFactory(
        room_type=room, kind=RateRuleKind.MIN_NIGHTS, min_nights=3, start_date=monday, end_date=monday
    )
    with pytest.raises(DatesUnavailable):
        reserve_stay(room.pk, monday, monday + timedelta(days=2), guests=1)


def test_unknown_room_type_is_an_invalid_claim(db, monday):
    with pytest.raises(InvalidClaim):
        reserve_stay(999_999, monday, monday + timedelta(days=1), guests=1)


def test_room_of_an_unpublished_homestay_cannot_be_booked(homestay, monday):
    room = RoomTypeFactory(page=homestay)
    homestay.unpublish()
    with pytest.raises(InvalidClaim):
        reserve_stay(room.pk, monday, monday + timedelta(days=1), guests=1)
