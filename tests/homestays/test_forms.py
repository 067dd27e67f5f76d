from datetime import date

import pytest

from homestays.forms import AvailabilityForm

pytestmark = pytest.mark.django_db
TODAY = date(2030, 5, 1)


def form(**data):
    return AvailabilityForm(data, today=TODAY)


def test_valid_search_is_accepted():
    assert form(check_in="2030-05-02", check_out="2030-05-04", guests="2").is_valid()


def test_check_out_must_be_after_check_in():
    f = form(check_in="2030-05-04", check_out="2030-05-04", guests="2")
    assert not f.is_valid()
    assert "check_out" in f.errors


def test_check_in_in_the_past_is_refused():
    f = form(check_in="2030-04-30", check_out="2030-05-02", guests="2")
    assert "check_in" in f.errors


def test_more_than_thirty_nights_is_refused():
    f = form(check_in="2030-05-02", check_out="2030-06-02", guests="2")
    assert "check_out" in f.errors


@pytest.mark.parametrize("guests", ["0", "21", "two"])
def test_guests_must_be_between_1_and_20(guests):
    assert "guests" in form(check_in="2030-05-02", check_out="2030-05-03", guests=guests).errors


def test_malformed_date_is_a_field_error():
    f = form(check_in="2030-13-45", check_out="2030-05-03")
    assert "check_in" in f.errors


def test_one_date_without_the_other_is_refused():
    assert "check_out" in form(check_in="2030-05-02").errors


def test_no_dates_is_a_listing_not_an_error():
    f = form(guests="2")
    assert f.is_valid() and not f.has_dates


def test_price_range_must_not_be_reversed():
    assert "price_max" in form(price_min="500", price_max="100").errors
