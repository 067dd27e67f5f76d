import datetime

import pytest

from gates.models import SpotCrowd
from gates.selectors import now_spots
from orders import reservations
from orders.reservations import Claim

from .conftest import NOW, window_at

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def test_now_spots_next_window_level_and_fixed_queries(
    paid_rule, real_name_rule, now, django_assert_num_queries
):
    full = window_at(paid_rule, day_offset=0, hour=9)
    reservations.reserve([Claim("entry", full.pk, 10), Claim("entry_day", full.day_id, 10)])
    SpotCrowd.objects.create(spot=paid_rule.spot, people=450, comfortable=200, maximum=500)
    now_spots(now)  # warm the site root paths
    # Rules, crowds, the next windows, their claims and their days' claims; the spots in English.
    with django_assert_num_queries(6):
        spots = now_spots(now)
    by_name = {s["name"]: s for s in spots}
    valley, hall = by_name["桃花谷"], by_name["革命纪念馆"]
    # The 09:00 window is full: the next with room is 10:00.
    assert valley["next_window"]["starts_at"] == full.starts_at + datetime.timedelta(hours=1)
    assert valley["next_window"]["places_left"] == 10
    assert (valley["level"], valley["people"], valley["capacity"]) == ("busy", 450, 500)
    assert hall["level"] is None and hall["next_window"]["starts_at"].date() == NOW.date()
    assert hall["url"].endswith("/memorial-hall/")
