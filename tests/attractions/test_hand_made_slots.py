"""Slots staff add by hand are theirs: regenerating the schedule never changes or deletes them,
while the generated slots it no longer wants go (unless booked), as before."""

import datetime
import importlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from attractions.models import ExperienceClosedDate, TourSlot, TourSlotOrigin
from attractions.schedules import generate_slots
from orders import reservations
from orders.models import ReservationKind
from tests.factories.attractions import ExperiencePageFactory, TourSlotFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")

# An ordinary morning, and the moments where days, months and years turn over in the town.
MOMENTS = [
    datetime.datetime(2026, 12, 5, 10, 0, tzinfo=TZ),
    datetime.datetime(2026, 12, 31, 23, 50, tzinfo=TZ),
    datetime.datetime(2027, 1, 1, 0, 10, tzinfo=TZ),
    datetime.datetime(2028, 2, 29, 12, 0, tzinfo=TZ),
    datetime.datetime(2027, 4, 30, 23, 59, tzinfo=TZ),
]


@pytest.fixture(autouse=True, params=MOMENTS, ids=lambda moment: moment.strftime("%Y-%m-%d_%H%M"))
def now(request):
    with time_machine.travel(request.param, tick=False):
        yield request.param


def at(now, days, hour, minute=0):
    """``days`` after ``now``'s town date, at hour:minute town time."""
    day = timezone.localtime(now, TZ).date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


@pytest.fixture
def tour(attraction_index):
    """Every day at 09:00 and 14:00, two hours; publishing made its slots from the schedule."""
    return ExperiencePageFactory(parent=attraction_index, schedules=[{"start_times": "09:00, 14:00"}])


def drop_afternoons(tour):
    schedule = tour.schedules.get()
    schedule.start_times = "09:00"
    schedule.save()
    return generate_slots(tour)


def test_generated_slots_say_so(tour):
    assert tour.slots.exists()
    assert set(tour.slots.values_list("origin", flat=True)) == {TourSlotOrigin.SCHEDULE}


def test_a_slot_added_by_hand_survives_regeneration(tour, now):
    extra = TourSlotFactory(
        experience=tour, starts_at=at(now, 2, 11, 30), duration=datetime.timedelta(hours=1)
    )
    assert extra.origin == TourSlotOrigin.BY_HAND  # whatever made it, if not the schedule
    result = drop_afternoons(tour)
    assert result.deleted > 0
    extra.refresh_from_db()
    assert extra.ends_at - extra.starts_at == datetime.timedelta(hours=1)  # not "corrected" either
    tour.schedules.all().delete()
    generate_slots(tour)
    assert list(tour.slots.filter(starts_at__gt=now).values_list("pk", flat=True)) == [extra.pk]


def test_a_slot_added_by_hand_at_a_scheduled_time_stands_in_for_the_generated_one(tour, now):
    start = at(now, 3, 14)
    tour.slots.filter(starts_at=start).delete()
    extra = TourSlotFactory(
        experience=tour, starts_at=start, capacity=4, duration=datetime.timedelta(hours=3)
    )
    generate_slots(tour)
    assert tour.slots.filter(starts_at=start).get().pk == extra.pk  # no second slot at 14:00
    drop_afternoons(tour)
    extra.refresh_from_db()
    assert (extra.capacity, extra.ends_at) == (4, start + datetime.timedelta(hours=3))


def test_an_unsold_generated_slot_no_longer_in_the_schedule_is_removed(tour, now):
    afternoon = tour.slots.get(starts_at=at(now, 2, 14))
    result = drop_afternoons(tour)
    assert not TourSlot.objects.filter(pk=afternoon.pk).exists()
    assert result.kept_booked == 0
    local_hours = {timezone.localtime(s, TZ).hour for s in tour.slots.values_list("starts_at", flat=True)}
    assert local_hours == {9}


def test_a_booked_generated_slot_no_longer_in_the_schedule_is_kept(tour, now):
    booked = tour.slots.get(starts_at=at(now, 2, 14))
    reservations.confirm(reservations.reserve([reservations.Claim(ReservationKind.TOUR, booked.pk, 2)]))
    result = drop_afternoons(tour)
    assert TourSlot.objects.filter(pk=booked.pk).exists()
    assert result.kept_booked == 1


def test_existing_slots_are_told_apart_by_the_schedule_that_makes_them(tour, now, attraction_index):
    """The data migration: slots the schedule makes become "schedule", any other "by hand"."""
    migration = importlib.import_module("attractions.migrations.0005_tourslot_origin_of_existing_slots")
    generated = tour.slots.get(starts_at=at(now, 2, 9))
    odd_time = TourSlotFactory(experience=tour, starts_at=at(now, 2, 11))
    odd_length = tour.slots.get(starts_at=at(now, 3, 9))
    TourSlot.objects.filter(pk=odd_length.pk).update(
        ends_at=odd_length.starts_at + datetime.timedelta(hours=5)
    )
    closed_day = tour.slots.get(starts_at=at(now, 4, 9))
    ExperienceClosedDate.objects.create(page=tour, date=at(now, 4, 9).date())
    weekends = ExperiencePageFactory(
        parent=attraction_index, schedules=[{"start_times": "10:00", **dict.fromkeys(WEEKDAYS, False)}]
    )
    weekend_slot = weekends.slots.order_by("starts_at").first()
    weekday_slot = TourSlotFactory(experience=weekends, starts_at=next_weekday(now, 10))
    TourSlot.objects.update(origin=TourSlotOrigin.BY_HAND)  # as the schema migration leaves them

    migration.mark_scheduled_slots(apps, None)

    origin = dict(TourSlot.objects.values_list("pk", "origin"))
    assert origin[generated.pk] == origin[weekend_slot.pk] == TourSlotOrigin.SCHEDULE
    hand_made = {
        "odd time": odd_time,
        "odd length": odd_length,
        "closed day": closed_day,
        "weekday": weekday_slot,
    }
    assert {name: origin[slot.pk] for name, slot in hand_made.items()} == dict.fromkeys(
        hand_made, TourSlotOrigin.BY_HAND
    )


WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"]


def next_weekday(now, hour):
    day = 1
    while at(now, day, hour).weekday() >= 5:
        day += 1
    return at(now, day, hour)


def test_a_slot_the_organiser_called_off_is_kept_when_the_schedule_drops_its_time(tour, now):
    """The cancelled slot is the record its cancelled orders point at; regenerating never
    deletes it (and, while its time is wanted, never makes a second, bookable one beside it)."""
    from attractions.models import TourSlotStatus

    afternoon = tour.slots.get(starts_at=at(now, 2, 14))
    TourSlot.objects.filter(pk=afternoon.pk).update(status=TourSlotStatus.CANCELLED)
    generate_slots(tour)
    at_that_time = tour.slots.filter(starts_at=afternoon.starts_at).values_list("pk", flat=True)
    assert list(at_that_time) == [afternoon.pk]
    drop_afternoons(tour)
    assert TourSlot.objects.get(pk=afternoon.pk).status == TourSlotStatus.CANCELLED


def test_staff_add_a_slot_by_hand_in_the_admin_and_regeneration_keeps_it(tour, now, admin_client):
    from django.urls import reverse

    start = timezone.localtime(at(now, 2, 11, 30), TZ)
    url = reverse("wagtailsnippets_attractions_tourslot:add")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "experience": tour.pk,
            "starts_at": start.strftime("%Y-%m-%d %H:%M"),
            "ends_at": (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
            "capacity": "6",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    slot = TourSlot.objects.get(experience=tour, starts_at=start)
    assert (slot.origin, slot.capacity) == (TourSlotOrigin.BY_HAND, 6)
    drop_afternoons(tour)
    tour.schedules.all().delete()
    generate_slots(tour)
    assert TourSlot.objects.filter(pk=slot.pk).exists()


def test_the_admin_refuses_a_slot_on_a_translation_or_ending_before_it_starts(tour, now, admin_client):
    from django.urls import reverse

    from tests.factories.home import en_locale

    english = tour.copy_for_translation(en_locale(), copy_parents=True)
    start = timezone.localtime(at(now, 2, 11), TZ)
    url = reverse("wagtailsnippets_attractions_tourslot:add")
    before = TourSlot.objects.count()
    for experience, ends in ((english.pk, start + datetime.timedelta(hours=1)), (tour.pk, start)):
        response = admin_client.post(
            url,
            {
                "experience": experience,
                "starts_at": start.strftime("%Y-%m-%d %H:%M"),
                "ends_at": ends.strftime("%Y-%m-%d %H:%M"),
            },
        )
        assert response.status_code == 200  # the form again, with its error
        assert response.context["form"].errors
    assert TourSlot.objects.count() == before
