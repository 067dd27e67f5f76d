"""PostgreSQL, real threads: a waiting-list offer and a normal checkout race for the same freed
seats; never both get them. And a visitor checking out their offer while another checks out the
same seats: the offer holder always gets them.

Each race has its control: without the inventory lock the offer and the checkout both take the
seats, so the race tests could fail.
"""

import time

import pytest

from attractions.models import TourSlot
from orders import basket as basket_service
from orders import reservations, waitlist
from orders.exceptions import InventoryBusy, SoldOut
from orders.line_cancel import cancel_line
from orders.models import WaitlistStatus
from orders.selectors import claimed_units
from tests.concurrency import at_once, baskets_with, without_the_inventory_lock
from tests.factories.accounts import VerifiedUserFactory
from tests.orders.checkout_fixtures import check_out

from .line_cancel_fixtures import book
from .waitlist_fixtures import SEATS, basket_of, tour_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def freed_seats(trip_things, fake_online, monkeypatch):
    """Two seats just freed with nobody offered them yet: a visitor waits for both, another has
    them in their basket (added while they were free)."""
    slot = trip_things.slot
    TourSlot.objects.filter(pk=slot.pk).update(capacity=SEATS)
    (rival,) = baskets_with(tour_data(slot, SEATS), 1)
    trip = book(VerifiedUserFactory(), trip_things, "tour")
    entry = waitlist.join(VerifiedUserFactory(), tour_data(slot, SEATS), language="en")
    # Freed without the offer going out after commit, so the test starts the offer itself.
    with monkeypatch.context() as patch:
        patch.setattr(reservations, "_offer_to_waitlist", lambda things: None)
        cancel_line(trip.order, trip.line("tour").pk, by_user=trip.order.user)
    assert claimed_units("tour", [slot.pk])[slot.pk] == 0
    return slot, entry, rival


def offer_or_checkout(slot, entry, rival):
    def offer():
        return "offered" if waitlist.offer_freed([("tour", slot.pk)]) else "not_offered"

    def buy():
        try:
            check_out(rival.user, rival)
        except (SoldOut, InventoryBusy):
            return "sold_out"
        return "ordered"

    return at_once([offer, buy])


def test_an_offer_and_a_checkout_racing_for_the_same_seats_never_both_get_them(freed_seats, monkeypatch):
    slot, entry, rival = freed_seats
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.05))
    outcomes = offer_or_checkout(slot, entry, rival)
    assert outcomes in ({"offered": 1, "sold_out": 1}, {"ordered": 1, "not_offered": 1}), outcomes
    assert claimed_units("tour", [slot.pk])[slot.pk] == SEATS
    entry.refresh_from_db()
    assert (entry.status == WaitlistStatus.OFFERED) == (outcomes["offered"] == 1)


def test_control_without_the_inventory_lock_the_offer_and_the_checkout_both_take_them(
    freed_seats, monkeypatch
):
    """Proves the race above can fail: unlocked, both count the two free seats together."""
    slot, entry, rival = freed_seats
    without_the_inventory_lock(monkeypatch)
    outcomes = offer_or_checkout(slot, entry, rival)
    assert outcomes == {"offered": 1, "ordered": 1}
    assert claimed_units("tour", [slot.pk])[slot.pk] > SEATS


def test_the_offer_holder_checks_out_while_another_visitor_tries_and_only_the_holder_gets_them(
    freed_seats, monkeypatch
):
    slot, entry, rival = freed_seats
    (offered,) = waitlist.offer_freed([("tour", slot.pk)])
    holder_basket = basket_of(offered.user)
    waitlist.put_in_basket(offered, holder_basket)
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.05))

    def buyer(basket, user):
        def buy():
            try:
                check_out(user, basket)
            except (SoldOut, InventoryBusy):
                return "sold_out"
            return "holder" if user == offered.user else "rival"

        return buy

    outcomes = at_once([buyer(holder_basket, offered.user), buyer(rival, rival.user)])
    assert outcomes == {"holder": 1, "sold_out": 1}
    assert claimed_units("tour", [slot.pk])[slot.pk] == SEATS
    offered.refresh_from_db()
    assert offered.status == WaitlistStatus.BOOKED
    assert basket_service.summarize(rival).lines  # the rival's line stays in their basket
