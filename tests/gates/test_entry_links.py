"""Where the spots' timed entry is found: the spot's own page shows "Book entry" with the next
free window (through town.spots, as attractions do not import gates), and the staff gate index
lists the spot gates and head counters for the staff who may keep them."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

from gates.models import EntryRule, SpotCrowd
from orders import reservations
from orders.reservations import Claim
from tests.factories.accounts import UserFactory
from tests.factories.home import translate
from tests.pages import cold_and_warm_queries

from .conftest import NOW, window_at

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

# Cold: the spots with timed entry, then (one spot takes it here) the next windows and their
# claims and their days' claims; warm: none of them (kept like availability).
ENTRY_CALL_COLD_EXTRA = 3


@pytest.fixture
def ticking(time_machine):
    # The cache's stock versions are stamped by the clock: it must move for a booking to show.
    time_machine.move_to(NOW, tick=True)
    cache.clear()


def test_spot_page_shows_book_entry_with_the_next_free_window(client, paid_rule, ticking):
    spot = paid_rule.spot
    page = client.get(spot.url).text
    assert f'href="/entry/{spot.pk}/"' in page
    assert "09:00–10:00" in page  # the window under way still takes people until 10:00
    # Its last places booked: the page moves on to the next window at once.
    nine = window_at(paid_rule, day_offset=0, hour=9)
    reservations.reserve([Claim("entry", nine.pk, 10), Claim("entry_day", nine.day_id, 10)])
    page = client.get(spot.url).text
    assert "09:00–10:00" not in page
    assert "10:00–11:00" in page


def test_spot_page_in_english_books_in_english(client, paid_rule, ticking):
    english = translate(paid_rule.spot, title="Peach Valley")
    page = client.get(english.url).text
    assert f'href="/en/entry/{paid_rule.spot_id}/"' in page
    assert "Book entry" in page and "Next free window" in page


def test_spot_page_says_when_no_window_is_free(client, paid_rule, ticking):
    paid_rule.windows.all().delete()
    page = client.get(paid_rule.spot.url).text
    assert f'href="/entry/{paid_rule.spot_id}/"' in page
    assert "Next free window" not in page and "下一个空余时段" not in page


def test_spot_without_timed_entry_or_switched_off_shows_no_booking(client, paid_rule, spot, ticking):
    assert "/entry/" not in client.get(spot.url).text
    paid_rule.active = False
    paid_rule.save()
    cache.clear()
    assert "/entry/" not in client.get(paid_rule.spot.url).text


def test_book_entry_costs_no_query_on_a_warm_page(client, paid_rule, spot, ticking):
    """One value for every spot's page: cold, each page pays the spots with timed entry (one
    query) and, when there are some, their next windows; warm, nothing."""
    cold, warm, response = cold_and_warm_queries(client, paid_rule.spot.url)
    assert f'href="/entry/{paid_rule.spot_id}/"' in response.text
    cold_plain, warm_plain, response = cold_and_warm_queries(client, spot.url)
    assert "/entry/" not in response.text
    assert (cold, warm) == (cold_plain, warm_plain)
    EntryRule.objects.update(active=False)
    cold_none, warm_none, _response = cold_and_warm_queries(client, spot.url)
    assert (cold_none + ENTRY_CALL_COLD_EXTRA, warm_none) == (cold_plain, warm_plain)


def test_gate_index_lists_the_spot_gates_for_staff(client, paid_rule, spot, now):
    SpotCrowd.objects.create(spot=spot, people=0, comfortable=50, maximum=100)
    client.force_login(UserFactory(is_staff=True))
    page = client.get("/en/gate/").text
    assert f'href="/en/entry/{paid_rule.spot_id}/gate/"' in page
    assert f'href="/en/entry/{paid_rule.spot_id}/count/"' in page
    # A spot counted by hand but without timed entry has a counter, no gate.
    assert f'href="/en/entry/{spot.pk}/count/"' in page
    assert f'href="/en/entry/{spot.pk}/gate/"' not in page


def test_gate_index_opens_to_a_counting_helper_and_stays_closed_to_visitors(client, paid_rule, now):
    visitor = UserFactory()
    client.force_login(visitor)
    assert client.get("/en/gate/").status_code == 403
    helper = UserFactory()
    helper.user_permissions.add(Permission.objects.get(codename="count_people"))
    client.force_login(helper)
    response = client.get("/en/gate/")
    assert response.status_code == 200
    assert f'href="/en/entry/{paid_rule.spot_id}/gate/"' in response.text
