"""The "tour" line kind and inventory: pricing, age rules, validation messages, snapshot, capacity."""

import datetime

import pytest
from django.utils import timezone, translation

from attractions.lines import TourLine, tour_price
from orders import basket as basket_service
from orders import reservations
from orders.exceptions import DatesUnavailable, InvalidClaim, ReservationError, SoldOut
from orders.lines import LineInvalid, get_line_kind
from orders.models import Basket, BasketLine, OrderLine, Reservation, ReservationKind
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.attractions import ExperiencePageFactory, TourSlotFactory, tomorrow_at

from .tour_fixtures import tour_data

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def handler():
    return get_line_kind("tour")


def errors_of(handler, data):
    with pytest.raises(LineInvalid) as excinfo:
        handler.validate(data)
    return excinfo.value.errors


def test_registered_as_line_kind_and_inventory(handler):
    from orders.inventory import get_inventory

    assert isinstance(handler, TourLine)
    assert get_inventory("tour").model.__name__ == "TourSlot"


def test_validate_cleans_a_family(handler, slot):
    cleaned = handler.validate(tour_data(slot, adults=2, children=2, child_ages=[2, 7]))
    assert cleaned.object_id == slot.pk and cleaned.kind == "tour"
    assert cleaned.quantity == 4 and cleaned.guests == 4
    assert cleaned.options == {"adults": 2, "children": 2, "child_ages": [2, 7]}
    assert cleaned.start_date == timezone.localtime(slot.starts_at).date()


@pytest.mark.parametrize(
    ("adults", "children", "ages", "expected"),
    [
        (2, 0, None, 2 * 8000),
        (2, 1, None, 2 * 8000 + 4000),  # no ages: every child pays the child price
        (2, 2, [2, 7], 2 * 8000 + 4000),  # the 2-year-old is free (free under 3)
        (1, 3, [0, 1, 2], 8000),
        (1, 1, [3], 8000 + 4000),  # 3 is not under 3
    ],
)
def test_price_adults_children_and_free_under_age(handler, slot, adults, children, ages, expected):
    extra = {"child_ages": ages} if ages is not None else {}
    line = BasketLine(**_line_fields(handler.validate(tour_data(slot, adults, children, **extra))))
    price = handler.price(line)
    assert price.total.fen == expected
    assert price.unit.fen == 8000


def _line_fields(cleaned):
    return {
        "kind": cleaned.kind,
        "object_id": cleaned.object_id,
        "start_date": cleaned.start_date,
        "end_date": cleaned.end_date,
        "guests": cleaned.guests,
        "quantity": cleaned.quantity,
        "options": cleaned.options,
    }


def test_price_is_computed_from_the_page_not_the_client(handler, slot):
    basket = Basket.objects.create()
    line = basket_service.add_line(basket, tour_data(slot, 1, 0, price_fen=1, total_fen=1))
    assert handler.price(line).total.fen == 8000


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"slot_id": None}, "slot_id", "Please choose a time."),
        ({"slot_id": "abc"}, "slot_id", "Please choose a time."),
        ({"slot_id": 99999999}, "slot_id", "This tour time can no longer be booked."),
        ({"adults": 0, "children": 2}, "adults", "Children must come with at least one adult."),
        ({"adults": -1}, "adults", "Please give a whole number from 0 to 50."),
        ({"adults": 10**9}, "adults", "Please give a whole number from 0 to 50."),
        ({"adults": True}, "adults", "Please give a whole number from 0 to 50."),
        ({"children": "many"}, "children", "Please give a whole number from 0 to 50."),
        ({"children": 2, "child_ages": [5]}, "child_ages", "Please give one age for each child."),
        ({"children": 1, "child_ages": ["x"]}, "child_ages", "Each child's age must be a whole number"),
        (
            {"children": 1, "child_ages": [14]},
            "child_ages",
            "From 14 years on, please count them as an adult.",
        ),
        ({"adults": 11}, "adults", "This tour takes 10 people at most."),
    ],
)
def test_validation_messages(handler, slot, data, field, message):
    errors = errors_of(handler, {**tour_data(slot), **data})
    assert message in errors[field]


def test_past_cancelled_and_unpublished(handler, picking):
    past = TourSlotFactory(experience=picking, starts_at=timezone.now() - datetime.timedelta(minutes=1))
    assert "already started" in errors_of(handler, tour_data(past))["slot_id"]
    cancelled = TourSlotFactory(experience=picking, status="cancelled")
    assert errors_of(handler, tour_data(cancelled))["slot_id"] == "This tour has been cancelled."
    open_slot = TourSlotFactory(experience=picking, starts_at=tomorrow_at(15))
    picking.unpublish()
    assert errors_of(handler, tour_data(open_slot))["slot_id"] == "This experience can no longer be booked."


def test_the_core_refuses_past_cancelled_and_unpublished_too(picking):
    past = TourSlotFactory(experience=picking, starts_at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(DatesUnavailable):
        reservations.reserve([reservations.Claim(ReservationKind.TOUR, past.pk, 1)])
    cancelled = TourSlotFactory(experience=picking, status="cancelled")
    with pytest.raises(DatesUnavailable):
        reservations.reserve([reservations.Claim(ReservationKind.TOUR, cancelled.pk, 1)])
    open_slot = TourSlotFactory(experience=picking, starts_at=tomorrow_at(15))
    picking.unpublish()
    with pytest.raises(InvalidClaim):
        reservations.reserve([reservations.Claim(ReservationKind.TOUR, open_slot.pk, 1)])
    with pytest.raises(InvalidClaim):
        reservations.reserve([reservations.Claim(ReservationKind.TOUR, 99999999, 1)])
    assert not Reservation.objects.exists()


def test_age_rules(handler, attraction_index):
    study = ExperiencePageFactory(parent=attraction_index, kind="tea_study", min_age=8, schedules=[])
    slot = TourSlotFactory(experience=study)
    # A minimum age needs the children's ages, and each must reach it.
    assert "ages 8 and over" in errors_of(handler, tour_data(slot, 1, 1))["child_ages"]
    assert "ages 8 and over" in errors_of(handler, tour_data(slot, 1, 2, child_ages=[9, 6]))["child_ages"]
    assert handler.validate(tour_data(slot, 1, 2, child_ages=[8, 13])).quantity == 3
    # Adults alone are always fine.
    assert handler.validate(tour_data(slot, 2, 0)).quantity == 2

    workshop = ExperiencePageFactory(
        parent=attraction_index, kind="craft", min_age=5, max_age=12, schedules=[]
    )
    wslot = TourSlotFactory(experience=workshop)
    assert "aged 5 to 12" in errors_of(handler, tour_data(wslot, 1, 1, child_ages=[13]))["child_ages"]
    assert handler.validate(tour_data(wslot, 1, 1, child_ages=[12])).quantity == 2


def test_camping_takes_pitches(handler, attraction_index):
    camp = ExperiencePageFactory(
        parent=attraction_index, kind="camping", capacity=3, people_per_pitch=4, schedules=[]
    )
    night = TourSlotFactory(experience=camp, starts_at=tomorrow_at(16), duration=datetime.timedelta(hours=18))
    cleaned = handler.validate(tour_data(night, 2, 3))
    assert cleaned.quantity == 2  # 5 people, 4 per pitch
    assert cleaned.end_date == cleaned.start_date + datetime.timedelta(days=1)
    assert handler.validate(tour_data(night, 4, 0)).quantity == 1
    assert "3 pitches at most" in errors_of(handler, tour_data(night, 13, 0))["adults"]
    line = BasketLine(**_line_fields(cleaned))
    assert handler.price(line).total.fen == 2 * 8000 + 3 * 4000  # per person and night
    assert "2 pitches" in handler.describe(line)


def test_slot_capacity_override_and_cancelled_slot_capacity(picking):
    from orders.inventory import get_inventory

    inventory = get_inventory("tour")
    slot = TourSlotFactory(experience=picking, capacity=3)
    assert inventory.capacity(slot, None) == 3
    slot.capacity = None
    assert inventory.capacity(slot, None) == 10
    slot.status = "cancelled"
    assert inventory.capacity(slot, None) == 0


def test_sold_out_in_the_basket_and_the_core(handler, slot):
    reservations.confirm(reservations.reserve([reservations.Claim(ReservationKind.TOUR, slot.pk, 9)]))
    basket = Basket.objects.create()
    with pytest.raises(ReservationError) as excinfo:
        basket_service.add_line(basket, tour_data(slot, 2))
    assert "Only 1 place is left" in str(excinfo.value.message)
    basket_service.add_line(basket, tour_data(slot, 1))
    with pytest.raises(SoldOut):
        reservations.reserve([reservations.Claim(ReservationKind.TOUR, slot.pk, 2)])
    assert not BasketLine.objects.filter(basket=basket, quantity=2).exists()


def test_describe_and_snapshot(handler, slot, picking, meeting_point):
    line = BasketLine(**_line_fields(handler.validate(tour_data(slot, 2, 1))))
    text = handler.describe(line)
    assert "草莓采摘" in text and "2 adults" in text and "1 child" in text
    snapshot = handler.snapshot(line)
    assert snapshot.title == "草莓采摘"
    assert snapshot.starts_at == slot.starts_at
    assert snapshot.village_id == meeting_point.village_id is not None
    assert snapshot.cancellation_policy == "flexible"
    assert snapshot.page_id == picking.pk
    assert snapshot.payment_ways is None
    line.object_id = 99999999
    assert "no longer offered" in handler.describe(line)
    ok, reason = handler.availability(line)
    assert not ok and reason


def test_price_helper_breakdown(picking):
    price = tour_price(picking, 2, 3, [1, 5, 9])
    assert price.total.fen == 2 * 8000 + 2 * 4000
    assert {"who": "free_child", "count": 1, "unit_fen": 0} in price.breakdown


def test_checkout_makes_an_order_line_with_the_tour_snapshot(slot, meeting_point):
    from tests.orders.checkout_fixtures import check_out

    user = VerifiedUserFactory()
    basket = Basket.objects.create(user=user)
    basket_service.add_line(basket, tour_data(slot, 2, 1, child_ages=[1]))
    result = check_out(user, basket)
    line = OrderLine.objects.get(order=result.order)
    assert line.kind == "tour" and line.object_id == slot.pk
    assert line.quantity == 3
    assert line.total_fen == 2 * 8000
    assert line.starts_at == slot.starts_at
    assert line.village_id == meeting_point.village_id
    assert line.options == {"adults": 2, "children": 1, "child_ages": [1]}
    reservation = Reservation.objects.get(order_line=line)
    assert reservation.object_id == slot.pk and reservation.quantity == 3
