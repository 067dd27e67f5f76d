import pytest

from scenic.models import CarPark, ParkingCounter
from scenic.parking import issue_counter_token


def make_car_park(name, *, total=100, free=50, lat="29.610000", lng="118.260000", **fields):
    return CarPark.objects.create(
        name=name, total_spaces=total, free_spaces=free, latitude=lat, longitude=lng, **fields
    )


def make_counter(*car_parks, name="东门道闸", active=True):
    counter = ParkingCounter(name=name, active=active)
    raw = issue_counter_token(counter)
    counter.save()
    counter.car_parks.set(car_parks)
    return counter, raw


@pytest.fixture
def car_park(db):
    return make_car_park("石板街停车场", total=100, free=50)


@pytest.fixture
def counter(car_park):
    return make_counter(car_park)
