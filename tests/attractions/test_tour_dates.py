"""The tour page's date picker over the whole generated schedule, ?date=YYYY-MM-DD (issue 20,
item 3): days with free seats, that day's times, bad dates explained, queries fixed."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from attractions import selectors
from attractions.schedules import generate_slots
from orders import reservations
from orders.models import ReservationKind
from tests.factories.attractions import ExperiencePageFactory, TourSlotFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]
TOWN = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def morning(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 5, 10, 0, tzinfo=TOWN), tick=False)


def at(day, hour):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TOWN)


def slot_on(experience, day, hour=9):
    return TourSlotFactory(experience=experience, starts_at=at(day, hour))


def fill(slot, seats):
    reservations.confirm(reservations.reserve([reservations.Claim(ReservationKind.TOUR, slot.pk, seats)]))


def slot_ids(html):
    return {int(pk) for pk in re.findall(r'name="slot_id" value="(\d+)"', html)}


def test_a_tour_next_month_can_be_opened_and_booked_by_its_date(client, picking, morning):
    soon = slot_on(picking, datetime.date(2026, 12, 6))
    later = slot_on(picking, datetime.date(2027, 1, 20), 9)
    later_pm = slot_on(picking, datetime.date(2027, 1, 20), 14)
    response = client.get(picking.url, {"date": "2027-01-20"})
    assert response.status_code == 200
    assert slot_ids(response.text) == {later.pk, later_pm.pk}
    assert response.context["picker_month"] == datetime.date(2027, 1, 1)
    assert f'action="{picking.url}?date=2027-01-20#book"' in response.text
    assert soon.pk not in slot_ids(response.text)
    booked = client.post(f"{picking.url}?date=2027-01-20", {"slot_id": later.pk, "adults": 2})
    assert booked.status_code == 302


def test_without_a_date_the_first_day_with_free_seats_is_chosen(client, picking, morning):
    full = slot_on(picking, datetime.date(2026, 12, 6))
    fill(full, 10)
    free = slot_on(picking, datetime.date(2026, 12, 8))
    response = client.get(picking.url)
    assert response.context["chosen_day"].date == datetime.date(2026, 12, 8)
    assert slot_ids(response.text) == {free.pk}
    html = response.text
    # The full day is shown as full and is not chosen; it opens on its times' waiting lists.
    assert re.search(
        r'<td class="day day--full"><a href="\?date=2026-12-06#book"[^>]*><span class="day-number">6</span>',
        html,
    )
    # A tour is "full" (已满); "满房" (no rooms left) belongs to homestays.
    assert '<span class="day-number">6</span><span class="day-state">已满</span>' in html
    assert "满房" not in html
    assert 'href="?date=2026-12-08#book" aria-current="date"' in html


def test_the_picker_covers_the_whole_schedule_month_by_month(client, picking, morning):
    slot_on(picking, datetime.date(2026, 12, 6))
    slot_on(picking, datetime.date(2027, 2, 14))
    first = client.get(picking.url)
    assert first.context["picker_next"] == datetime.date(2027, 1, 1)
    assert first.context["picker_previous"] is None
    assert "?month=2027-01&amp;date=2026-12-06#book" in first.text
    february = client.get(picking.url, {"month": "2027-02", "date": "2026-12-06"})
    assert february.context["picker_month"] == datetime.date(2027, 2, 1)
    assert february.context["picker_next"] is None
    assert 'href="?date=2027-02-14#book"' in february.text
    # The chosen day's times stay while the picker turns.
    assert february.context["chosen_day"].date == datetime.date(2026, 12, 6)
    # Beyond the schedule the picker stops at its last month.
    assert client.get(picking.url, {"month": "2031-01"}).context["picker_month"] == datetime.date(2027, 2, 1)


def test_a_schedule_far_ahead_is_all_bookable(client, attraction_index, morning):
    tour = ExperiencePageFactory(parent=attraction_index, title="采茶")
    generate_slots(tour, days=90)
    response = client.get(tour.url, {"date": "2027-02-20"})
    assert response.status_code == 200
    assert response.context["chosen_day"].date == datetime.date(2027, 2, 20)
    assert slot_ids(response.text)


@pytest.mark.parametrize(
    ("value", "status", "says"),
    [
        ("tomorrow", 400, "“tomorrow”不是有效的日期"),
        ("20261220", 400, "不是有效的日期"),
        ("2026-02-30", 400, "不是有效的日期"),
        ("2026-12-01", 400, "2026-12-01 已经过去"),
        ("2027-01-21", 200, "2027-01-21 没有场次"),
        ("2027-01-20", 200, "2027-01-20 已满"),
    ],
)
def test_a_date_that_cannot_be_opened_is_explained(client, picking, morning, value, status, says):
    free = slot_on(picking, datetime.date(2026, 12, 6))
    fill(slot_on(picking, datetime.date(2027, 1, 20)), 10)
    response = client.get(picking.url, {"date": value})
    assert response.status_code == status
    assert response.context["date_error"] and says in response.context["date_error"]
    assert 'role="alert"' in response.text
    # The picker is still there to choose another day; no times of a wrong day are offered.
    assert 'class="tour-calendar"' in response.text
    assert slot_ids(response.text) == ({free.pk} if status == 400 else set())


def test_a_tour_without_free_times_says_so(client, picking, morning):
    fill(slot_on(picking, datetime.date(2026, 12, 6)), 10)
    response = client.get(picking.url)
    assert response.status_code == 200
    assert response.context["free_days"] == []
    assert 'class="empty"' in response.text and 'name="slot_id"' not in response.text


@pytest.mark.parametrize("days", [3, 60])
def test_the_picker_costs_the_same_queries_however_many_slots(
    picking, morning, days, django_assert_num_queries
):
    for n in range(days):
        day = datetime.date(2026, 12, 6) + datetime.timedelta(days=n)
        fill(slot_on(picking, day, 9), 2)
        slot_on(picking, day, 14)
    request = RequestFactory().get(picking.url, {"date": "2027-01-10"})
    request.user = AnonymousUser()
    # The locales (a first read: then they come from the content cache), the slots, their claims.
    with django_assert_num_queries(3):
        picker = selectors.tour_picker(picking, request)
    assert len(picker["tour_days"]) == days
