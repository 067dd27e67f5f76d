"""A translated event copies its ticket types (the English one has its own id): whichever id is
posted, the Chinese ticket type's capacity and sales window decide, and one count is kept."""

import datetime
import json

import pytest
from django.utils import timezone

from orders import reservations
from orders.exceptions import DatesUnavailable, SoldOut
from orders.models import BasketLine, Reservation, ReservationKind
from tests.factories.events import TicketTypeFactory

from .ticket_fixtures import buy_tickets, ticket_data

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture
def last_ticket(festival):
    return TicketTypeFactory(page=festival, name="日票", price_fen=8000, capacity=1, max_per_order=4)


@pytest.fixture
def english_event(last_ticket, en_locale):
    page = last_ticket.page.copy_for_translation(en_locale, copy_parents=True)
    page.title = "Peach Blossom Festival"
    page.save_revision().publish()
    return page


@pytest.fixture
def english_ticket(last_ticket, english_event):
    """The English copy of the ticket type; an editor there has raised its capacity."""
    ticket = english_event.ticket_types.get()
    ticket.name, ticket.capacity = "Day pass", 50
    ticket.save()
    assert ticket.pk != last_ticket.pk and ticket.translation_key == last_ticket.translation_key
    return ticket


def add_line(client, ticket_type, quantity=1):
    return client.post(
        "/api/v1/basket/lines",
        data=json.dumps(ticket_data(ticket_type, quantity)),
        content_type="application/json",
    )


def test_last_ticket_sold_through_the_chinese_id_is_refused_through_the_english_one(
    client, visitor, last_ticket, english_ticket
):
    buy_tickets(visitor, last_ticket)
    response = add_line(client, english_ticket)
    assert response.status_code == 409, response.content
    assert not BasketLine.objects.exists()


def test_english_event_page_answers_409_for_its_ticket_when_the_original_is_sold_out(
    client, visitor, last_ticket, english_ticket, english_event
):
    buy_tickets(visitor, last_ticket)
    data = {"ticket_type_id": english_ticket.pk, "quantity": 1}
    response = client.post(english_event.specific.tickets_url(), data)
    assert response.status_code == 409, response.context["ticket_errors"]
    assert not BasketLine.objects.exists()


def test_english_id_books_the_chinese_ticket(client, last_ticket, english_ticket):
    response = add_line(client, english_ticket)
    assert response.status_code == 201, response.content
    assert BasketLine.objects.get().object_id == last_ticket.pk
    (held,) = reservations.reserve([reservations.Claim(ReservationKind.TICKET, english_ticket.pk, 1)])
    assert held.object_id == last_ticket.pk
    with pytest.raises(SoldOut):
        reservations.reserve([reservations.Claim(ReservationKind.TICKET, english_ticket.pk, 1)])


def test_closed_sales_are_refused_through_the_english_id(client, last_ticket, english_ticket):
    last_ticket.sales_end = timezone.now() - datetime.timedelta(hours=1)
    last_ticket.save()
    response = add_line(client, english_ticket)
    assert response.status_code == 409, response.content
    assert not BasketLine.objects.exists()
    with pytest.raises(DatesUnavailable):
        reservations.reserve([reservations.Claim(ReservationKind.TICKET, english_ticket.pk, 1)])
    assert not Reservation.objects.exists()


def test_english_ticket_without_a_chinese_original_cannot_be_booked(client, english_event):
    english_only = TicketTypeFactory(page=english_event, name="Tour group", capacity=20)
    response = add_line(client, english_only)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["body", "ticket_type_id"]


def test_a_ticket_id_too_large_for_any_row_is_refused_with_422(client, english_event):
    response = client.post(english_event.specific.tickets_url(), {"ticket_type_id": "9" * 30, "quantity": 1})
    assert response.status_code == 422
    assert not BasketLine.objects.exists()
