"""The waiting list's rules: who may join, the place in line, offers as holds when capacity frees
(first come, an entry that does not fit skipped), lapsed offers passing on, and an offer booked
through the basket and checkout without ever selling more than there is."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.services import UnverifiedEmail
from orders import basket as basket_service
from orders import waitlist
from orders.exceptions import SoldOut
from orders.models import Reservation, ReservationStatus, WaitlistEntry, WaitlistStatus
from orders.selectors import claimed_units
from tests.factories.accounts import UserFactory, VerifiedUserFactory

from .checkout_fixtures import check_out, stay_data
from .line_cancel_fixtures import book
from .waitlist_fixtures import SEATS, basket_of, free_the_tour, tour_data, wait

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HOURS_12 = datetime.timedelta(hours=12)


def offers_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def positions(*entries):
    found = {e.pk: e.position for e in waitlist.with_positions(WaitlistEntry.objects.all())}
    return [found[e.pk] for e in entries]


def fresh(entry):
    entry.refresh_from_db()
    return entry


def test_visitors_join_a_sold_out_tour_in_the_order_they_come(full_tour):
    slot, _trip = full_tour
    first, second = wait(slot), wait(slot, 2)
    assert (first.status, first.quantity, second.quantity) == (WaitlistStatus.WAITING, 1, 2)
    assert positions(first, second) == [1, 2]


def test_something_not_sold_out_is_refused_book_it_now(trip_things):
    with pytest.raises(waitlist.NotSoldOut) as refused:
        wait(trip_things.slot)
    assert "book it now" in str(refused.value.message)
    assert not WaitlistEntry.objects.exists()


def test_an_account_without_a_verified_address_cannot_join(full_tour):
    slot, _trip = full_tour
    with pytest.raises(UnverifiedEmail):
        wait(slot, user=UserFactory())
    assert not WaitlistEntry.objects.exists()


def test_joining_twice_for_the_same_thing_is_refused(full_tour):
    slot, _trip = full_tour
    entry = wait(slot)
    with pytest.raises(waitlist.AlreadyWaiting):
        wait(slot, 2, user=entry.user)
    assert WaitlistEntry.objects.count() == 1


def test_a_produce_kind_has_no_waiting_list(trip_things, visitor):
    with pytest.raises(waitlist.LineInvalid) as refused:
        waitlist.join(visitor, {"kind": "product", "product_id": trip_things.product.pk, "quantity": 1})
    assert "kind" in refused.value.errors


def test_a_cancelled_line_is_offered_to_the_first_in_line_as_a_hold_and_by_email(
    full_tour, django_capture_on_commit_callbacks
):
    slot, trip = full_tour
    first, second = wait(slot, 2), wait(slot, 1)
    mail.outbox.clear()
    free_the_tour(trip, django_capture_on_commit_callbacks)
    first, second = fresh(first), fresh(second)
    assert (first.status, second.status) == (WaitlistStatus.OFFERED, WaitlistStatus.WAITING)
    hold = first.offer
    assert (hold.status, hold.quantity, hold.holder_id) == (ReservationStatus.HELD, 2, first.user_id)
    assert hold.hold_expires_at == first.offer_expires_at
    assert first.offer_expires_at - first.offered_at == HOURS_12
    # The offer is a claim: the slot is full again, nothing left for the second in line.
    assert claimed_units("tour", [slot.pk])[slot.pk] == SEATS
    (message,) = offers_to(first.user)
    assert [m for m in mail.outbox if second.user.email in m.to] == []
    assert "A place is free for you" in message.subject
    assert f"/en/waitlist/{first.pk}/" in message.body


def test_the_offer_email_is_in_the_visitors_language(full_tour, django_capture_on_commit_callbacks):
    slot, trip = full_tour
    wait(slot, 2, language="zh-hans")
    mail.outbox.clear()
    free_the_tour(trip, django_capture_on_commit_callbacks)
    (message,) = [m for m in mail.outbox if m.to != [trip.order.user.email]]
    assert "有空位" in message.subject
    assert "/en/" not in message.body


def test_an_entry_whose_quantity_does_not_fit_keeps_its_place_and_the_next_that_fits_is_offered(
    trip_things, fake_online, django_capture_on_commit_callbacks
):
    from orders.line_cancel import cancel_line

    with django_capture_on_commit_callbacks(execute=True):
        trip = book(VerifiedUserFactory(), trip_things, "ticket")
    data = {"kind": "ticket", "ticket_type_id": trip_things.ticket_type.pk}
    big = waitlist.join(VerifiedUserFactory(), data, quantity=2)
    small = waitlist.join(VerifiedUserFactory(), data, quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_line(trip.order, trip.line("ticket").pk, by_user=trip.order.user, quantity=1)
    big, small = fresh(big), fresh(small)
    assert (big.status, small.status) == (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)
    assert positions(big) == [1]


def test_an_offer_is_never_more_than_is_free_and_a_checkout_cannot_take_it(
    full_tour, django_capture_on_commit_callbacks, trip_things
):
    slot, trip = full_tour
    # Two in line for one seat each: the two freed seats go one to each, none to a third.
    entries = [wait(slot), wait(slot), wait(slot)]
    free_the_tour(trip, django_capture_on_commit_callbacks)
    assert [fresh(e).status for e in entries] == ["offered", "offered", "waiting"]
    assert claimed_units("tour", [slot.pk])[slot.pk] == SEATS
    other = VerifiedUserFactory()
    basket = basket_of(other)
    with pytest.raises(SoldOut):
        basket_service.add_line(basket, tour_data(slot))
    assert Reservation.objects.live().filter(kind="tour", object_id=slot.pk).count() == 2


def test_a_lapsed_offer_passes_to_the_next_in_line(full_tour, django_capture_on_commit_callbacks):
    slot, trip = full_tour
    first, second = wait(slot, 2), wait(slot, 2)
    free_the_tour(trip, django_capture_on_commit_callbacks)
    offered_until = fresh(first).offer_expires_at
    with time_machine.travel(offered_until - datetime.timedelta(minutes=1), tick=False):
        assert waitlist.run_waitlist() == 0  # still running: nothing moves
    with time_machine.travel(offered_until + datetime.timedelta(minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert waitlist.run_waitlist() == 1
        now = timezone.now()
        first, second = fresh(first), fresh(second)
        assert (first.status, second.status) == (WaitlistStatus.LAPSED, WaitlistStatus.OFFERED)
        assert first.offer.status == ReservationStatus.CANCELLED
        assert claimed_units("tour", [slot.pk], now=now)[slot.pk] == SEATS


def test_the_periodic_run_offers_seats_staff_added(full_tour, django_capture_on_commit_callbacks):
    from attractions.models import TourSlot

    slot, _trip = full_tour
    entry = wait(slot, 1)
    TourSlot.objects.filter(pk=slot.pk).update(capacity=SEATS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert waitlist.run_waitlist() == 1
    assert fresh(entry).status == WaitlistStatus.OFFERED


def test_leaving_with_an_offer_passes_it_to_the_next(full_tour, django_capture_on_commit_callbacks):
    slot, trip = full_tour
    first, second = wait(slot, 2), wait(slot, 2)
    free_the_tour(trip, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        waitlist.leave(first.user, first.pk)
    assert (fresh(first).status, fresh(second).status) == (WaitlistStatus.LEFT, WaitlistStatus.OFFERED)
    with pytest.raises(waitlist.EntryNotFound):
        waitlist.leave(first.user, first.pk)


def test_another_visitor_cannot_leave_for_you(full_tour):
    slot, _trip = full_tour
    entry = wait(slot)
    with pytest.raises(waitlist.EntryNotFound):
        waitlist.leave(VerifiedUserFactory(), entry.pk)
    assert fresh(entry).status == WaitlistStatus.WAITING


def test_the_offer_goes_in_the_basket_and_checks_out_on_its_own_hold(
    full_tour, django_capture_on_commit_callbacks
):
    slot, trip = full_tour
    entry = wait(slot, 2)
    free_the_tour(trip, django_capture_on_commit_callbacks)
    entry = fresh(entry)
    basket = basket_of(entry.user)
    waitlist.put_in_basket(entry, basket)
    summary = basket_service.summarize(basket)
    assert summary.all_available, [view.reason for view in summary.lines]
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(entry.user, basket).order
    entry = fresh(entry)
    assert entry.status == WaitlistStatus.BOOKED
    assert entry.offer.status == ReservationStatus.CANCELLED
    assert order.lines.get().quantity == 2
    # The order took the offer's place: still exactly the slot's seats claimed.
    assert claimed_units("tour", [slot.pk])[slot.pk] == SEATS


def test_someone_elses_basket_still_sees_the_offered_seats_taken(
    full_tour, django_capture_on_commit_callbacks
):
    slot, trip = full_tour
    entry = wait(slot, 2)
    free_the_tour(trip, django_capture_on_commit_callbacks)
    entry = fresh(entry)
    other = VerifiedUserFactory()
    with pytest.raises(SoldOut):
        basket_service.add_line(basket_of(other), tour_data(slot, 2))


def test_a_room_sold_out_on_some_nights_is_offered_when_a_stay_is_cancelled(
    trip_things, stay_room, arrival, fake_online, django_capture_on_commit_callbacks
):
    from orders.line_cancel import cancel_line

    with django_capture_on_commit_callbacks(execute=True):
        trip = book(VerifiedUserFactory(), trip_things, "stay")
    wish = stay_data(stay_room, arrival, nights=1)
    later = stay_data(stay_room, arrival + datetime.timedelta(days=5), nights=1)
    with pytest.raises(waitlist.NotSoldOut):
        waitlist.join(VerifiedUserFactory(), later)
    entry = waitlist.join(VerifiedUserFactory(), wish, quantity=1)
    assert (entry.start_date, entry.end_date, entry.quantity) == (
        arrival,
        arrival + datetime.timedelta(days=1),
        1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        cancel_line(trip.order, trip.line("stay").pk, by_user=trip.order.user)
    entry = fresh(entry)
    assert entry.status == WaitlistStatus.OFFERED
    assert (entry.offer.start_date, entry.offer.end_date) == (entry.start_date, entry.end_date)


def test_tickets_are_offered_some_at_a_time(trip_things, fake_online, django_capture_on_commit_callbacks):
    from orders.line_cancel import cancel_line

    with django_capture_on_commit_callbacks(execute=True):
        trip = book(VerifiedUserFactory(), trip_things, "ticket")
    data = {"kind": "ticket", "ticket_type_id": trip_things.ticket_type.pk}
    entry = waitlist.join(VerifiedUserFactory(), data, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_line(trip.order, trip.line("ticket").pk, by_user=trip.order.user, quantity=1)
    assert fresh(entry).status == WaitlistStatus.WAITING  # one seat freed, two wanted
    with django_capture_on_commit_callbacks(execute=True):
        cancel_line(trip.order, trip.line("ticket").pk, by_user=trip.order.user, quantity=1)
    assert fresh(entry).status == WaitlistStatus.OFFERED
    assert fresh(entry).offer.quantity == 2


def test_staff_offer_an_entry_ahead_of_its_turn_only_when_it_fits(full_tour):
    from attractions.models import TourSlot

    slot, _trip = full_tour
    first, second = wait(slot, 2), wait(slot, 1)
    with pytest.raises(SoldOut):
        waitlist.offer_now(second.pk)
    TourSlot.objects.filter(pk=slot.pk).update(capacity=SEATS + 1)
    assert waitlist.offer_now(second.pk).status == WaitlistStatus.OFFERED
    waitlist.remove(first.pk)
    assert fresh(first).status == WaitlistStatus.REMOVED


def test_seats_of_a_checkout_hold_that_ran_out_are_offered_by_the_periodic_run(
    trip_things, fake_online, django_capture_on_commit_callbacks
):
    from attractions.models import TourSlot
    from orders.checkout import HOLD_FOR

    slot = trip_things.slot
    TourSlot.objects.filter(pk=slot.pk).update(capacity=SEATS)
    unpaid = book(VerifiedUserFactory(), trip_things, "tour", paid=False)  # held while paying online
    entry = wait(slot, 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert waitlist.run_waitlist() == 0  # the hold still runs
    with time_machine.travel(unpaid.order.created_at + HOLD_FOR + datetime.timedelta(minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert waitlist.run_waitlist() == 1
        assert fresh(entry).status == WaitlistStatus.OFFERED
        assert claimed_units("tour", [slot.pk], now=timezone.now())[slot.pk] == SEATS
