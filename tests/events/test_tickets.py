"""Ticket types: the "ticket" line kind, sales windows, max per order, capacity, free checkout."""

import datetime

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from orders import basket as basket_service
from orders.exceptions import ReservationError, SoldOut
from orders.lines import LineInvalid
from orders.models import Basket, OrderStatus, Payment, Reservation, ReservationStatus
from orders.policies import FLEXIBLE
from orders.selectors import claimed_units
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.events import TicketTypeFactory
from tests.orders.checkout_fixtures import check_out

from .ticket_fixtures import buy_tickets, ticket_data

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def basket_of(user):
    return Basket.objects.get_or_create(user=user)[0]


def test_ticket_line_is_priced_on_the_server(visitor, day_pass):
    basket = basket_of(visitor)
    basket_service.add_line(basket, {**ticket_data(day_pass, 3), "price_fen": 1})
    summary = basket_service.summarize(basket)
    assert summary.total.fen == 3 * 8000
    assert "桃花节" in summary.lines[0].title and "日票" in summary.lines[0].title


def test_more_than_max_per_order_is_refused(visitor, day_pass):
    with pytest.raises(LineInvalid) as info:
        basket_service.add_line(basket_of(visitor), ticket_data(day_pass, 5))
    assert "quantity" in info.value.errors
    assert not basket_of(visitor).lines.exists()


def test_max_per_order_is_enforced_again_at_reservation(visitor, day_pass):
    basket = basket_of(visitor)
    basket_service.add_line(basket, ticket_data(day_pass, 4))
    day_pass.max_per_order = 2
    day_pass.save()
    with pytest.raises(ReservationError):
        check_out(visitor, basket)
    assert not Reservation.objects.exists()


@pytest.mark.parametrize(
    "bad", [{"ticket_type_id": "x"}, {"ticket_type_id": 0}, {"quantity": 0}, {"quantity": "many"}]
)
def test_bad_ticket_data_gives_field_errors(visitor, day_pass, bad):
    with pytest.raises(LineInvalid):
        basket_service.add_line(basket_of(visitor), {**ticket_data(day_pass), **bad})


def test_unknown_ticket_type_is_refused(visitor, day_pass):
    with pytest.raises(LineInvalid) as info:
        basket_service.add_line(basket_of(visitor), {"kind": "ticket", "ticket_type_id": day_pass.pk + 999})
    assert "ticket_type_id" in info.value.errors


def test_sales_not_yet_open_are_refused_with_the_opening_time(visitor, festival):
    opens = timezone.now() + datetime.timedelta(days=2)
    early = TicketTypeFactory(page=festival, sales_start=opens)
    with pytest.raises(ReservationError) as info:
        basket_service.add_line(basket_of(visitor), ticket_data(early))
    # In the language's one date format ("2027年3月20日 09:00", "20 March 2027, 09:00").
    assert date_format(timezone.localtime(opens), "DATETIME_FORMAT") in str(info.value.message)


def test_sales_closed_are_refused(visitor, festival):
    closed = TicketTypeFactory(page=festival, sales_end=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(ReservationError):
        basket_service.add_line(basket_of(visitor), ticket_data(closed))


def test_tickets_to_an_event_that_is_over_are_refused(visitor, festival, day_pass):
    festival.start = timezone.now() - datetime.timedelta(days=2)
    festival.end = timezone.now() - datetime.timedelta(days=1)
    festival.save_revision().publish()
    with pytest.raises(ReservationError):
        basket_service.add_line(basket_of(visitor), ticket_data(day_pass))


def test_tickets_of_an_unpublished_event_are_refused(visitor, festival, day_pass):
    festival.unpublish()
    with pytest.raises(LineInvalid):
        basket_service.add_line(basket_of(visitor), ticket_data(day_pass))


def test_sales_window_is_checked_again_at_checkout(visitor, day_pass):
    basket = basket_of(visitor)
    basket_service.add_line(basket, ticket_data(day_pass))
    day_pass.sales_end = timezone.now() - datetime.timedelta(seconds=1)
    day_pass.save()
    with pytest.raises(ReservationError) as info:
        check_out(visitor, basket)
    assert info.value.code == "sales_closed"
    assert not Reservation.objects.exists()
    assert basket.lines.count() == 1  # nothing half-written


def test_paid_tickets_on_site_make_a_confirmed_order_with_a_snapshot(
    visitor, day_pass, festival, festival_village
):
    order = buy_tickets(visitor, day_pass, 2).order
    assert order.status == OrderStatus.CONFIRMED
    assert order.total_fen == 16000
    line = order.lines.get()
    assert (line.kind, line.object_id, line.quantity) == ("ticket", day_pass.pk, 2)
    assert line.title == "桃花节" and line.item_name == "日票"
    assert line.starts_at == festival.start
    assert line.village_id == festival_village.pk
    assert line.provider_user_id is None
    assert line.cancellation_policy == FLEXIBLE
    assert line.voucher.code
    assert Payment.objects.get(order=order).amount_fen == 16000


def test_event_village_overrides_the_venue_village(visitor, day_pass, festival):
    from tests.factories.town import VillageFactory

    other = VillageFactory(name="茶园村")
    festival.village = other
    festival.save_revision().publish()
    assert buy_tickets(visitor, day_pass).order.lines.get().village_id == other.pk


def test_free_registration_is_confirmed_at_once_without_a_payment(visitor, free_pass):
    result = buy_tickets(visitor, free_pass, 2)
    order = result.order
    assert order.status == OrderStatus.CONFIRMED
    assert order.total_fen == 0
    assert not order.payments.exists()
    assert result.start is None
    reservation = Reservation.objects.get(order_line__order=order)
    assert reservation.status == ReservationStatus.CONFIRMED
    assert order.lines.get().voucher.code


def test_capacity_is_never_exceeded(visitor, free_pass):
    buy_tickets(visitor, free_pass, 2)
    other = VerifiedUserFactory()
    basket = basket_of(other)
    basket_service.add_line(basket, ticket_data(free_pass, 1))
    third = VerifiedUserFactory()
    third_basket = basket_of(third)
    basket_service.add_line(third_basket, ticket_data(free_pass, 1))
    check_out(other, basket)
    with pytest.raises(SoldOut):
        check_out(third, third_basket)
    assert claimed_units("ticket", [free_pass.pk])[free_pass.pk] == 3


def test_sold_out_ticket_cannot_be_added(visitor, free_pass):
    buy_tickets(visitor, free_pass, 2)
    buy_tickets(VerifiedUserFactory(), free_pass, 1)
    with pytest.raises(ReservationError):
        basket_service.add_line(basket_of(VerifiedUserFactory()), ticket_data(free_pass))


def test_translation_shares_the_original_ticket_types(festival, day_pass, en_locale):
    from events.selectors import ticket_offers

    translation = festival.copy_for_translation(en_locale, copy_parents=True)
    translation.save_revision().publish()
    offers = ticket_offers(translation.specific)
    assert [offer.pk for offer in offers] == [day_pass.pk]
