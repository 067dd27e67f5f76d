"""The free spaces' one write path (scenic.parking) and the nearest car park with room."""

import pytest
from django.utils import translation

from scenic import parking
from scenic.models import CarPark

from .conftest import make_car_park

pytestmark = pytest.mark.django_db


def free_of(car_park):
    return CarPark.objects.get(pk=car_park.pk).free_spaces


def test_a_car_in_takes_a_space_and_a_car_out_frees_one(car_park):
    assert parking.change_free(car_park.pk, -1).free == 49
    assert parking.change_free(car_park.pk, +3).free == 52
    assert free_of(car_park) == 52
    assert CarPark.objects.get(pk=car_park.pk).counted_at is not None


def test_a_typed_count_replaces_the_free_spaces(car_park):
    count = parking.set_free(car_park.pk, 7)
    assert (count.free, count.total) == (7, 100)
    assert free_of(car_park) == 7


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (lambda pk: parking.set_free(pk, -1), "below zero"),
        (lambda pk: parking.set_free(pk, 101), "more than this car park has (100)"),
        (lambda pk: parking.change_free(pk, -51), "between 0 and 100"),
        (lambda pk: parking.change_free(pk, 51), "between 0 and 100"),
        (lambda pk: parking.set_free(pk, "7"), "whole number"),
        (lambda pk: parking.change_free(pk, 1.5), "whole number"),
    ],
)
def test_a_count_outside_zero_to_total_is_refused_and_nothing_stored(car_park, write, message):
    with translation.override("en"), pytest.raises(parking.CountOutOfRange) as refused:
        write(car_park.pk)
    with translation.override("en"):
        assert message in str(refused.value.message)
    assert refused.value.status == 422
    assert free_of(car_park) == 50


def test_an_unknown_car_park_is_refused():
    with pytest.raises(parking.UnknownCarPark) as refused:
        parking.set_free(987654, 3)
    assert refused.value.status == 404


def test_the_edge_counts_are_allowed(car_park):
    assert parking.set_free(car_park.pk, 0).free == 0
    assert parking.set_free(car_park.pk, 100).free == 100


def test_the_nearest_car_park_with_room_is_pointed_to():
    full = make_car_park("桃花坞", free=0, lat="29.644000", lng="118.223000")
    near_but_full = make_car_park("桃花坞二号", free=0, lat="29.645000", lng="118.224000")
    near = make_car_park("石板街", free=86, lat="29.610900", lng="118.260500")
    far = make_car_park("茶山", free=23, lat="29.667200", lng="118.295100")
    no_place = make_car_park("无坐标", free=5, lat=None, lng=None)
    nearest = parking.nearest_with_room(full, [full, near_but_full, near, far, no_place])
    assert nearest == near
    assert nearest.distance_km == pytest.approx(5.2, abs=0.1)


def test_no_car_park_is_pointed_to_when_every_one_is_full():
    full = make_car_park("桃花坞", free=0)
    other = make_car_park("石板街", free=0, lat="29.620000")
    assert parking.nearest_with_room(full, [full, other]) is None


def test_the_database_refuses_more_free_than_total_whoever_writes(car_park):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CarPark.objects.filter(pk=car_park.pk).update(free_spaces=101)
