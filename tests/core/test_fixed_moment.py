"""TIANYUAN_NOW: the suite run at a fixed moment (tests/conftest.py), as .ci/run does."""

import datetime

import pytest
from django.utils import timezone

from tests.conftest import NOW_VARIABLE, fixed_moment, real_now

UTC = datetime.UTC


def test_a_moment_without_an_offset_is_town_time(monkeypatch):
    monkeypatch.setenv(NOW_VARIABLE, "2026-12-31T23:50")
    assert fixed_moment() == datetime.datetime(2026, 12, 31, 15, 50, tzinfo=UTC)


def test_a_moment_with_an_offset_keeps_it(monkeypatch):
    monkeypatch.setenv(NOW_VARIABLE, "2028-02-29T12:00+00:00")
    assert fixed_moment() == datetime.datetime(2028, 2, 29, 12, tzinfo=UTC)


def test_no_moment_means_the_real_clock(monkeypatch):
    monkeypatch.delenv(NOW_VARIABLE, raising=False)
    assert fixed_moment() is None


@pytest.mark.parametrize("value", ["31/12/2026 23:50", "2027-04-31T23:59", "tomorrow"])
def test_a_moment_that_is_not_one_stops_the_run_with_a_message(monkeypatch, value):
    monkeypatch.setenv(NOW_VARIABLE, value)
    with pytest.raises(pytest.UsageError, match=NOW_VARIABLE):
        fixed_moment()


@pytest.mark.date_sensitive
def test_under_tianyuan_now_each_test_starts_at_that_moment():
    """Guards .ci/run's passes: were the travel lost, they would quietly run on today's date."""
    moment = fixed_moment()
    if moment is None:
        pytest.skip(f"only under {NOW_VARIABLE} (the date-sensitive passes of .ci/run)")
    assert moment <= timezone.now() < moment + datetime.timedelta(seconds=30)


@pytest.mark.date_sensitive
def test_a_test_that_pins_its_own_moment_keeps_it(time_machine):
    pinned = datetime.datetime(2030, 5, 1, 9, tzinfo=UTC)
    time_machine.move_to(pinned, tick=False)
    assert timezone.now() == pinned


@pytest.mark.date_sensitive
@pytest.mark.real_clock
def test_a_real_clock_test_runs_on_todays_time():
    assert abs(timezone.now() - real_now()) < datetime.timedelta(seconds=30)
