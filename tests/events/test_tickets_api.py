"""JSON API: an event's tickets, ticket lines through the basket, the OpenAPI schema."""

import datetime

import pytest
from django.utils import timezone

from tests.factories.events import TicketTypeFactory

from .ticket_fixtures import buy_tickets

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def test_event_tickets_lists_price_remaining_and_on_sale(client, visitor, festival, day_pass, free_pass):
    later = TicketTypeFactory(
        page=festival, name="夜场", sales_start=timezone.now() + datetime.timedelta(days=1)
    )
    buy_tickets(visitor, day_pass, 2)
    response = client.get(f"/api/v1/events/{festival.pk}/tickets")
    assert response.status_code == 200
    rows = {row["ticket_type_id"]: row for row in response.json()}
    assert rows[day_pass.pk] | {} == {
        "ticket_type_id": day_pass.pk,
        "name": "日票",
        "description": day_pass.description,
        "price_fen": 8000,
        "remaining": 3,
        "on_sale": True,
        "sales_state": "open",
        "max_per_order": 4,
    }
    assert rows[free_pass.pk]["price_fen"] == 0
    assert rows[later.pk]["on_sale"] is False
    assert rows[later.pk]["sales_state"] == "not_yet"


def test_event_tickets_of_a_missing_or_draft_event_is_404(client, festival):
    assert client.get("/api/v1/events/999999/tickets").status_code == 404
    festival.unpublish()
    assert client.get(f"/api/v1/events/{festival.pk}/tickets").status_code == 404


def test_ticket_line_through_the_basket_api(client, day_pass):
    response = client.post(
        "/api/v1/basket/lines",
        {"kind": "ticket", "ticket_type_id": day_pass.pk, "quantity": 2},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["total_fen"] == 16000
    assert response.json()["kind"] == "ticket"


def test_basket_api_refuses_too_many_tickets_with_422(client, day_pass):
    response = client.post(
        "/api/v1/basket/lines",
        {"kind": "ticket", "ticket_type_id": day_pass.pk, "quantity": 5},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "quantity"]


def test_basket_api_refuses_closed_sales_with_409(client, english, festival):
    closed = TicketTypeFactory(page=festival, sales_end=timezone.now() + datetime.timedelta(seconds=1))
    closed.sales_end = timezone.now() - datetime.timedelta(seconds=1)
    closed.save()
    response = client.post(
        "/api/v1/basket/lines",
        {"kind": "ticket", "ticket_type_id": closed.pk, "quantity": 1},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "closed" in response.json()["detail"]


def test_tickets_endpoint_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/events/{event_id}/tickets"]["get"]
    assert "200" in operation["responses"]
