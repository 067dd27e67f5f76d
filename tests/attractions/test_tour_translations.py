"""A slot made on a translated experience is the original's departure at the same time: booking it
takes seats from the original slot, or is refused when the original has none at that time."""

import json

import pytest

from attractions.models import TourSlotStatus
from orders import reservations
from orders.exceptions import DatesUnavailable, SoldOut
from orders.models import BasketLine, Reservation, ReservationKind
from tests.factories.attractions import TourSlotFactory, tomorrow_at

from .tour_fixtures import tour_data

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture
def last_seats(picking):
    return TourSlotFactory(experience=picking, starts_at=tomorrow_at(9), capacity=2)


@pytest.fixture
def english_page(picking, en_locale):
    page = picking.copy_for_translation(en_locale, copy_parents=True)
    page.title = "Strawberry picking"
    page.save_revision().publish()
    return page


@pytest.fixture
def english_slot(last_seats, english_page):
    """The same departure added by hand on the English page, with more seats than the original."""
    return TourSlotFactory(experience=english_page, starts_at=last_seats.starts_at, capacity=10)


def add_line(client, slot, adults=2):
    return client.post(
        "/api/v1/basket/lines", data=json.dumps(tour_data(slot, adults)), content_type="application/json"
    )


def test_last_seats_sold_through_the_chinese_id_are_refused_through_the_english_one(
    client, last_seats, english_slot
):
    reservations.confirm(reservations.reserve([reservations.Claim(ReservationKind.TOUR, last_seats.pk, 2)]))
    response = add_line(client, english_slot)
    assert response.status_code == 409, response.content
    assert not BasketLine.objects.exists()


def test_english_page_answers_409_for_the_english_slot_when_the_original_is_full(
    client, last_seats, english_slot, english_page
):
    reservations.confirm(reservations.reserve([reservations.Claim(ReservationKind.TOUR, last_seats.pk, 2)]))
    response = client.post(english_page.url, tour_data(english_slot, 1))
    assert response.status_code == 409
    assert not BasketLine.objects.exists()


def test_english_slot_id_books_the_original_slot(client, last_seats, english_slot):
    response = add_line(client, english_slot)
    assert response.status_code == 201, response.content
    assert BasketLine.objects.get().object_id == last_seats.pk
    # The original's two seats are now in a basket, not yet held: the core still counts them once.
    (held,) = reservations.reserve([reservations.Claim(ReservationKind.TOUR, english_slot.pk, 2)])
    assert held.object_id == last_seats.pk
    with pytest.raises(SoldOut):
        reservations.reserve([reservations.Claim(ReservationKind.TOUR, english_slot.pk, 1)])


def test_cancelled_original_slot_is_refused_through_the_english_slot(client, last_seats, english_slot):
    last_seats.status = TourSlotStatus.CANCELLED
    last_seats.save()
    response = add_line(client, english_slot)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["body", "slot_id"]
    with pytest.raises(DatesUnavailable):
        reservations.reserve([reservations.Claim(ReservationKind.TOUR, english_slot.pk, 1)])
    assert not Reservation.objects.exists()


def test_english_slot_without_an_original_at_that_time_cannot_be_booked(client, last_seats, english_page):
    stray = TourSlotFactory(experience=english_page, starts_at=tomorrow_at(15), capacity=10)
    response = add_line(client, stray)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["body", "slot_id"]
