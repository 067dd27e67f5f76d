"""Tour slots from an experience's weekly schedule: patterns, exceptions, idempotency, booked slots kept."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from attractions.models import ExperienceSchedule, TourSlot, TourSlotStatus
from attractions.schedules import generate_all_slots, generate_slots
from orders import reservations
from orders.models import ReservationKind
from orders.reservations import local_today
from tests.factories.attractions import ExperiencePageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]
TZ = ZoneInfo("Asia/Shanghai")


def local_starts(page):
    return [
        timezone.localtime(s, TZ)
        for s in page.slots.order_by("starts_at").values_list("starts_at", flat=True)
    ]


@pytest.fixture
def today():
    return local_today()


def test_publishing_generates_slots_from_the_pattern(attraction_index, today):
    page = ExperiencePageFactory(
        parent=attraction_index,
        schedules=[{"start_times": "09:00, 14:30", "valid_from": today + datetime.timedelta(days=1)}],
    )
    starts = local_starts(page)
    # 90 days from today, today excluded by valid_from: 89 days × 2 times.
    assert len(starts) == 89 * 2
    assert {(s.hour, s.minute) for s in starts} == {(9, 0), (14, 30)}
    assert starts[0].date() == today + datetime.timedelta(days=1)
    assert starts[-1].date() == today + datetime.timedelta(days=89)
    slot = page.slots.order_by("starts_at").first()
    assert slot.ends_at - slot.starts_at == datetime.timedelta(minutes=page.duration_minutes)
    assert slot.status == TourSlotStatus.OPEN and slot.capacity is None


def test_weekdays_date_range_and_closed_dates(attraction_index, today):
    start = today + datetime.timedelta(days=1)
    until = start + datetime.timedelta(days=27)
    closed = [d for d in (start + datetime.timedelta(days=i) for i in range(28)) if d.weekday() == 5][:2]
    page = ExperiencePageFactory(
        parent=attraction_index,
        schedules=[
            {
                "start_times": "10:00",
                "monday": False,
                "tuesday": False,
                "wednesday": False,
                "thursday": False,
                "friday": False,
                "valid_from": start,
                "valid_until": until,
            }
        ],
        closed=closed,
    )
    days = [s.date() for s in local_starts(page)]
    expected = [
        d
        for d in (start + datetime.timedelta(days=i) for i in range(28))
        if d.weekday() in (5, 6) and d not in closed
    ]
    assert days == expected
    assert len(days) == 8 - 2


def test_generation_is_idempotent(attraction_index):
    page = ExperiencePageFactory(parent=attraction_index)
    before = list(page.slots.order_by("pk").values_list("pk", "starts_at"))
    result = generate_slots(page)
    assert result.created == 0 and result.deleted == 0
    assert list(page.slots.order_by("pk").values_list("pk", "starts_at")) == before
    # A wider window adds only the new days.
    wider = generate_slots(page, days=100)
    assert wider.created == 10 * 2
    assert generate_slots(page, days=100).created == 0


def test_past_slots_are_not_created_and_not_touched(attraction_index, today):
    page = ExperiencePageFactory(parent=attraction_index, schedules=[{"start_times": "00:01"}], publish=False)
    # Generating at noon: today's 00:01 has passed.
    noon = datetime.datetime.combine(today, datetime.time(12), tzinfo=TZ)
    generate_slots(page, days=3, now=noon)
    assert [s.date() for s in local_starts(page)] == [today + datetime.timedelta(days=i) for i in (1, 2)]
    # Later, with the time removed from the pattern, yesterday's slot (now past) stays.
    page.schedules.update(start_times="08:00")
    result = generate_slots(page, days=3, now=noon + datetime.timedelta(days=1, hours=1))
    kept = [s for s in local_starts(page) if s.hour == 0]
    assert [s.date() for s in kept] == [today + datetime.timedelta(days=1)]
    assert result.deleted == 1  # the day after tomorrow's 00:01, which was still ahead


def test_removing_a_time_keeps_only_booked_future_slots(attraction_index):
    page = ExperiencePageFactory(parent=attraction_index, schedules=[{"start_times": "09:00, 14:00"}])
    afternoon = [
        s for s in page.slots.order_by("starts_at") if timezone.localtime(s.starts_at, TZ).hour == 14
    ]
    confirmed, held, cancelled = afternoon[2], afternoon[3], afternoon[4]
    reservations.confirm(reservations.reserve([reservations.Claim(ReservationKind.TOUR, confirmed.pk, 2)]))
    reservations.reserve([reservations.Claim(ReservationKind.TOUR, held.pk, 1)])
    reservations.cancel(reservations.reserve([reservations.Claim(ReservationKind.TOUR, cancelled.pk, 1)]))

    schedule = page.schedules.get()
    schedule.start_times = "09:00"
    schedule.save()
    result = generate_slots(page)

    remaining = set(page.slots.values_list("pk", flat=True))
    assert confirmed.pk in remaining and held.pk in remaining
    assert cancelled.pk not in remaining  # its only reservation was cancelled: no booking
    assert result.kept_booked == 2
    assert result.deleted == len(afternoon) - 2
    assert {timezone.localtime(s, TZ).hour for s in page.slots.values_list("starts_at", flat=True)} == {9, 14}
    assert page.slots.filter(starts_at__in=[s.starts_at for s in afternoon]).count() == 2


def test_an_expired_hold_is_not_a_booking(attraction_index):
    page = ExperiencePageFactory(parent=attraction_index, schedules=[{"start_times": "09:00, 14:00"}])
    slot = page.slots.order_by("starts_at").last()
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    reservations.reserve(
        [reservations.Claim(ReservationKind.TOUR, slot.pk, 1)],
        hold_for=datetime.timedelta(minutes=30),
        now=long_ago,
    )
    page.schedules.update(start_times="10:00")
    generate_slots(page)
    assert not TourSlot.objects.filter(pk=slot.pk).exists()


def test_duration_change_moves_the_end_of_future_slots(attraction_index):
    page = ExperiencePageFactory(parent=attraction_index, duration_minutes=120)
    page.duration_minutes = 180
    page.save()
    result = generate_slots(page)
    assert result.updated == page.slots.count()
    slot = page.slots.first()
    assert slot.ends_at - slot.starts_at == datetime.timedelta(hours=3)


def test_cancelled_slots_stay_cancelled(attraction_index):
    page = ExperiencePageFactory(parent=attraction_index)
    slot = page.slots.first()
    slot.status = TourSlotStatus.CANCELLED
    slot.save()
    generate_slots(page)
    slot.refresh_from_db()
    assert slot.status == TourSlotStatus.CANCELLED


def test_camping_slots_are_nights(attraction_index, today):
    page = ExperiencePageFactory(
        parent=attraction_index,
        kind="camping",
        duration_minutes=18 * 60,
        schedules=[{"start_times": "16:00"}],
    )
    slot = page.slots.order_by("starts_at").first()
    starts, ends = timezone.localtime(slot.starts_at, TZ), timezone.localtime(slot.ends_at, TZ)
    assert (starts.hour, ends.hour) == (16, 10)
    assert ends.date() == starts.date() + datetime.timedelta(days=1)


def test_translation_shares_the_originals_slots(attraction_index, en_locale):
    page = ExperiencePageFactory(parent=attraction_index)
    count = page.slots.count()
    translated = page.copy_for_translation(en_locale, copy_parents=True)
    translated.save_revision().publish()
    assert translated.canonical().pk == page.pk
    assert not TourSlot.objects.filter(experience=translated).exists()
    assert page.slots.count() == count


def test_bad_start_times_are_refused_by_the_schedule_form():
    schedule = ExperienceSchedule(start_times="9 am, 25:00")
    with pytest.raises(Exception) as excinfo:
        schedule.clean()
    assert "start_times" in excinfo.value.message_dict
    assert ExperienceSchedule(start_times="09:00，14:30").times() == [datetime.time(9), datetime.time(14, 30)]


def test_command_and_task(attraction_index, today):
    tomorrow = today + datetime.timedelta(days=1)
    page = ExperiencePageFactory(
        parent=attraction_index, schedules=[{"start_times": "09:00, 14:00", "valid_from": tomorrow}]
    )
    page.slots.all().delete()
    out = StringIO()
    call_command("attractions_generate_slots", "--days", "7", stdout=out)
    assert f"experience {page.pk}: 12 created" in out.getvalue()  # tomorrow and the 5 days after
    assert page.slots.count() == 12
    with pytest.raises(CommandError):
        call_command("attractions_generate_slots", "--page", "999999")
    with pytest.raises(CommandError):
        call_command("attractions_generate_slots", "--days", "0")

    from attractions.tasks import generate_all_tour_slots

    result = generate_all_tour_slots.enqueue(days=8)
    assert result.return_value == {"experiences": 1, "created": 2, "deleted": 0}
    assert generate_all_slots(days=8)[page.pk].created == 0
