"""A paid stay ten days ahead of check-in, for the tests of moving a stay (import the fixtures by
name into each test module)."""

import datetime

import pytest
import time_machine

from .line_cancel_fixtures import STAY_FEN, book

NIGHT_FEN = STAY_FEN // 2  # the stay of ``stay_room``: two nights at ¥300, moderate policy
TEN_DAYS = datetime.timedelta(days=10)


@pytest.fixture
def stay_trip(visitor, trip_things, fake_online, django_capture_on_commit_callbacks):
    """The visitor's order of the one-room stay alone, paid online (the fake provider)."""
    with django_capture_on_commit_callbacks(execute=True):
        return book(visitor, trip_things, "stay")


@pytest.fixture
def ten_days_before(stay_trip):
    """The clock stands ten days before the stay's check-in."""
    with time_machine.travel(stay_trip.line("stay").starts_at - TEN_DAYS, tick=False):
        yield


def dates(line, *, by=0, nights=2) -> dict:
    """The stay moved ``by`` days with ``nights`` nights, as a form or the API posts it."""
    check_in = line.start_date + datetime.timedelta(days=by)
    return {
        "check_in": check_in.isoformat(),
        "check_out": (check_in + datetime.timedelta(days=nights)).isoformat(),
    }
