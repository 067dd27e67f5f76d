"""Real threads racing for the last room, half of them through the English copy's id (PostgreSQL).

With every claim resolved to the default-locale room type, all threads queue on one row lock and
exactly one wins. The control run skips the resolution and sells the room twice, once per row:
the hole this closes.
"""

import time
from collections import Counter
from datetime import timedelta

import pytest

from orders import reservations
from orders.exceptions import ReservationError
from orders.models import Reservation, ReservationKind, ReservationStatus
from orders.reservations import Claim, local_today, reserve
from tests.concurrency import at_once
from tests.factories.home import en_locale, make_home_page
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory, RoomTypeFactory

THREADS = 20

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rooms(transactional_db):
    """(the Chinese one-unit room, its English copy)."""
    index = HomestayIndexPageFactory(parent=make_home_page(), slug="homestays")
    room = RoomTypeFactory(page=HomestayPageFactory(parent=index), units=1)
    translated = room.page.copy_for_translation(en_locale(), copy_parents=True)
    translated.save_revision().publish()
    return room, translated.room_types.get()


def race(room_ids):
    """One booking of the same night per id, all started at the same instant; their outcomes."""
    night = local_today() + timedelta(days=30)

    def booker(room_id):
        def book():
            try:
                reserve([Claim(ReservationKind.STAY, room_id, 1, night, night + timedelta(days=1))])
            except ReservationError as exc:
                return f"refused:{type(exc).__name__}"
            return "reserved"

        return book

    return at_once([booker(room_id) for room_id in room_ids], timeout=90)


def both_ids(rooms):
    chinese, english = rooms
    return [chinese.pk, english.pk] * (THREADS // 2)


def held_room_ids():
    return sorted(
        Reservation.objects.filter(status=ReservationStatus.HELD).values_list("object_id", flat=True)
    )


def test_the_last_room_is_booked_once_whichever_id_each_visitor_used(rooms, monkeypatch):
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.01))
    outcomes = race(both_ids(rooms))
    assert outcomes == Counter({"reserved": 1, "refused:SoldOut": THREADS - 1}), outcomes
    assert held_room_ids() == [rooms[0].pk]


def test_control_without_the_resolution_sells_the_room_once_per_row(rooms, monkeypatch):
    monkeypatch.setattr(reservations, "_canonical_claims", lambda claims, inventories: claims)
    outcomes = race(both_ids(rooms))
    assert outcomes["reserved"] == 2, outcomes
    assert held_room_ids() == sorted(room.pk for room in rooms)
