"""Availability search, listings, calendars and the confirmed-guest check."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homestays import selectors
from homestays.models import RateRuleKind
from orders.models import ReservationKind, ReservationStatus
from tests.factories.homestays import (
    AmenityFactory,
    HomestayPageFactory,
    RoomRateRuleFactory,
    RoomTypeFactory,
)
from tests.factories.orders import ReservationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def book(room, start, end, quantity=1, **kwargs):
    return ReservationFactory(
        kind=ReservationKind.STAY,
        object_id=room.pk,
        quantity=quantity,
        start_date=start,
        end_date=end,
        **kwargs,
    )


def search(monday, nights=2, guests=2, **kwargs):
    return selectors.available_room_types(monday, monday + timedelta(days=nights), guests, **kwargs)


def room_ids(results):
    return [r.room_type.pk for r in results]


def test_free_room_is_found_with_its_total(room, monday):
    (result,) = search(monday, nights=2)
    assert result.room_type == room
    assert result.total_fen == 60000
    assert [n.price_fen for n in result.quote.nights] == [30000, 30000]


def test_room_with_all_units_booked_is_not_found(room, monday):
    book(room, monday + timedelta(days=1), monday + timedelta(days=2), quantity=2)
    assert search(monday) == []


def test_partly_booked_room_reports_units_left(room, monday):
    book(room, monday, monday + timedelta(days=1))
    (result,) = search(monday)
    assert result.available_units == 1


def test_expired_hold_does_not_take_a_room(room, monday):
    book(
        room,
        monday,
        monday + timedelta(days=2),
        quantity=2,
        hold_expires_at=timezone.now() - timedelta(minutes=1),
    )
    assert room_ids(search(monday)) == [room.pk]


def test_cancelled_booking_does_not_take_a_room(room, monday):
    book(room, monday, monday + timedelta(days=2), quantity=2, status=ReservationStatus.CANCELLED)
    assert room_ids(search(monday)) == [room.pk]


def test_closed_night_hides_the_room(room, monday):
    RoomRateRuleFactory(room_type=room, kind=RateRuleKind.CLOSED, start_date=monday, end_date=monday)
    assert search(monday) == []


def test_stay_shorter_than_minimum_hides_the_room(homestay, monday):
    RoomTypeFactory(page=homestay, min_nights=3)
    assert search(monday, nights=2) == []


def test_too_many_guests_hides_the_room(room, monday):
    assert search(monday, guests=3) == []


def test_unpublished_homestay_is_not_found(room, homestay, monday):
    homestay.unpublish()
    assert search(monday) == []


def test_results_are_cheapest_first(index_page, monday):
    dear = RoomTypeFactory(page=HomestayPageFactory(parent=index_page), base_price_fen=50000)
    cheap = RoomTypeFactory(page=HomestayPageFactory(parent=index_page), base_price_fen=20000)
    assert room_ids(search(monday)) == [cheap.pk, dear.pk]


def test_price_range_bounds_the_average_night(index_page, monday):
    RoomTypeFactory(page=HomestayPageFactory(parent=index_page), base_price_fen=50000)
    cheap = RoomTypeFactory(page=HomestayPageFactory(parent=index_page), base_price_fen=20000)
    assert room_ids(search(monday, price_min=10000, price_max=30000)) == [cheap.pk]


def test_amenity_filter_needs_every_amenity(index_page, monday):
    wifi, parking = AmenityFactory(code="wifi"), AmenityFactory(code="parking")
    only_wifi = HomestayPageFactory(parent=index_page)
    only_wifi.amenities.set([wifi])
    only_wifi.save()
    both = HomestayPageFactory(parent=index_page)
    both.amenities.set([wifi, parking])
    both.save()
    RoomTypeFactory(page=only_wifi)
    wanted = RoomTypeFactory(page=both)
    assert room_ids(search(monday, amenities=["wifi", "parking"])) == [wanted.pk]


def test_search_takes_the_same_queries_for_3_and_12_homestays(index_page, monday):
    def count():
        search(monday)  # fills the content cache (the locales)
        with CaptureQueriesContext(connection) as ctx:
            search(monday)
        return len(ctx.captured_queries)

    for _i in range(3):
        RoomTypeFactory(page=HomestayPageFactory(parent=index_page))
    small = count()
    for _i in range(9):
        RoomTypeFactory(page=HomestayPageFactory(parent=index_page))
    assert len(search(monday)) == 12
    # room types, rate rules, live claims (the default locale comes from the content cache)
    assert count() == small == 3


def test_calendar_shows_units_left_price_and_closures(room, monday):
    book(room, monday, monday + timedelta(days=1))
    RoomRateRuleFactory(room_type=room, kind=RateRuleKind.CLOSED, start_date=monday + timedelta(days=1))
    (calendar,) = selectors.room_calendars(room.page, monday, monday + timedelta(days=3))
    assert [(d.available_units, d.price_fen, d.closed, d.state) for d in calendar.days] == [
        (1, 30000, False, "few"),
        (0, None, True, "closed"),
        (2, 30000, False, "free"),
    ]


def test_listing_shows_the_lowest_base_price(homestay, monday):
    RoomTypeFactory(page=homestay, base_price_fen=40000)
    RoomTypeFactory(page=homestay, base_price_fen=25000)
    (listed,) = selectors.homestay_listing()
    assert listed.from_price_fen == 25000


def test_guest_with_confirmed_stay_is_recognised(room, django_user_model, monday):
    guest = django_user_model.objects.create_user("guest@example.com")
    book(room, monday, monday + timedelta(days=1), status=ReservationStatus.CONFIRMED, holder=guest)
    assert selectors.guest_has_confirmed_stay(guest, room.page)


def test_held_stay_does_not_reveal_the_contact(room, django_user_model, monday):
    guest = django_user_model.objects.create_user("guest@example.com")
    book(room, monday, monday + timedelta(days=1), holder=guest)
    assert not selectors.guest_has_confirmed_stay(guest, room.page)


def test_confirmed_stay_elsewhere_does_not_count(room, index_page, django_user_model, monday):
    guest = django_user_model.objects.create_user("guest@example.com")
    elsewhere = RoomTypeFactory(page=HomestayPageFactory(parent=index_page))
    book(elsewhere, monday, monday + timedelta(days=1), status=ReservationStatus.CONFIRMED, holder=guest)
    assert not selectors.guest_has_confirmed_stay(guest, room.page)


@pytest.fixture
def english(db):
    from wagtail.models import Locale

    return Locale.objects.get_or_create(language_code="en")[0]


def test_translated_homestay_sells_the_original_rooms(room, english, monday):
    translated = room.page.copy_for_translation(english, copy_parents=True)
    translated.save_revision().publish()
    (result,) = search(monday, locale=english)
    assert result.homestay.pk == translated.pk
    assert result.room_type.pk == room.pk


def test_translated_homestay_calendar_counts_the_original_rooms(room, english, monday):
    book(room, monday, monday + timedelta(days=1), quantity=2)
    translated = room.page.copy_for_translation(english, copy_parents=True)
    (calendar,) = selectors.room_calendars(translated, monday, monday + timedelta(days=1))
    assert calendar.room_type.pk == room.pk
    assert calendar.days[0].available_units == 0
