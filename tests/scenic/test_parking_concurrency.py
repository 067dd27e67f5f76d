"""PostgreSQL, real threads: 20 counter updates at the same instant end at the right count, and
the count never leaves 0..total however many race for the last spaces."""

import time

import pytest

from scenic import parking
from scenic.models import CarPark, ParkingCountKey
from tests.concurrency import at_once

from .conftest import make_car_park

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

UPDATES = 20


def changes(car_park_id, change, count):
    def call():
        try:
            parking.change_free(car_park_id, change)
        except parking.CountOutOfRange:
            return "refused"
        return "counted"

    return [call] * count


def test_twenty_concurrent_updates_end_at_the_right_count():
    car_park = make_car_park("石板街停车场", total=100, free=50)
    outcome = at_once(changes(car_park.pk, -1, UPDATES) + changes(car_park.pk, +2, UPDATES // 2))
    assert outcome == {"counted": UPDATES + UPDATES // 2}, outcome
    assert CarPark.objects.get(pk=car_park.pk).free_spaces == 50 - UPDATES + UPDATES


def test_twenty_cars_for_the_last_five_spaces_never_go_below_zero():
    car_park = make_car_park("桃花坞停车场", total=100, free=5)
    outcome = at_once(changes(car_park.pk, -1, UPDATES))
    assert outcome == {"counted": 5, "refused": UPDATES - 5}, outcome
    assert CarPark.objects.get(pk=car_park.pk).free_spaces == 0


def test_control_a_read_then_write_update_loses_counts():
    """Proves the race above can fail: reading the count and writing it back (what the relative
    UPDATE avoids) loses updates under the same 20 threads."""
    car_park = make_car_park("茶山停车场", total=100, free=50)

    def naive():
        free = CarPark.objects.get(pk=car_park.pk).free_spaces
        time.sleep(0.05)
        CarPark.objects.filter(pk=car_park.pk).update(free_spaces=free - 1)
        return "counted"

    outcome = at_once([naive] * UPDATES)
    assert outcome == {"counted": UPDATES}
    assert CarPark.objects.get(pk=car_park.pk).free_spaces > 50 - UPDATES


def test_one_request_sent_by_several_threads_at_once_counts_once():
    car_park = make_car_park("竹林停车场", total=100, free=50)
    key = "2c1f7a4e-9a0e-4a3f-8d61-5b7e2c9d0f33"

    def press():
        return parking.change_free(car_park.pk, -1, key=key).free

    outcome = at_once([press] * 10)
    assert outcome == {49: 10}, outcome
    assert CarPark.objects.get(pk=car_park.pk).free_spaces == 49
    assert ParkingCountKey.objects.get().free == 49
