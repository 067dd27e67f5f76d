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
    # The spots with their rules and counts, the next windows, their claims and their days'
    # claims; the spots in English.
    with django_assert_num_queries(5):
        spots = now_spots(now)
    by_name = {s["name"]: s for s in spots}
    valley, hall = by_name["桃花谷"], by_name["革命纪念馆"]
    # The 09:00 window is full: the next with room is 10:00.
    assert valley["next_window"]["starts_at"] == full.starts_at + datetime.timedelta(hours=1)
    assert valley["next_window"]["places_left"] == 10
    assert (valley["level"], valley["people"], valley["capacity"]) == ("busy", 450, 500)
    assert hall["level"] is None and hall["next_window"]["starts_at"].date() == NOW.date()
    assert hall["url"].endswith("/memorial-hall/")


def test_right_now_lists_the_spots_and_a_head_count_or_booking_clears_its_stored_answer(
    paid_rule, real_name_rule, now, settings, time_machine
):
    """/now/ and GET /api/v1/now show the gates' spots (a spot nobody counts has no level, and
    the API says null, not a 500); a new head count and a new booking each clear the stored page
    and answer, so a crowd refreshing it sees the change at once."""
    from django.core.cache import cache
    from django.test import Client

    from gates import crowding

    settings.PAGE_CACHE_ENABLED = True
    time_machine.move_to(now, tick=True)  # the cache's versions are stamped by the clock
    cache.clear()
    SpotCrowd.objects.create(spot=paid_rule.spot, people=100, comfortable=200, maximum=500)
    Client().get("/en/now/")  # the first view makes the footer's settings row (a content edit)
    for url in ("/en/now/", "/api/v1/now"):
        assert Client().get(url)["X-Page-Cache"] == "miss"
        assert Client().get(url)["X-Page-Cache"] == "hit"
    answer = Client().get("/api/v1/now", HTTP_ACCEPT_LANGUAGE="en").json()
    by_name = {spot["name"]: spot for spot in answer["spots"]}
    assert by_name["革命纪念馆"]["level"] is None and by_name["革命纪念馆"]["entry_url"]
    assert (by_name["桃花谷"]["level"], by_name["桃花谷"]["people"]) == ("comfortable", 100)
    page = Client().get("/en/now/").text
    assert f'href="/en/entry/{real_name_rule.spot_id}/"' in page and "Book entry" in page

    crowding.move(paid_rule.spot_id, 300)  # through the gate or a staff counter
    fresh = Client().get("/api/v1/now")
    assert fresh["X-Page-Cache"] == "miss"
    assert {s["name"]: s["people"] for s in fresh.json()["spots"]}["桃花谷"] == 400
    assert Client().get("/en/now/")["X-Page-Cache"] == "miss"

    Client().get("/api/v1/now")
    window = window_at(paid_rule, day_offset=0, hour=10)
    reservations.reserve([Claim("entry", window.pk, 2), Claim("entry_day", window.day_id, 2)])
    assert Client().get("/api/v1/now")["X-Page-Cache"] == "miss"
