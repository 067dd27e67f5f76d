"""Editors add ticket types to an event in the Wagtail admin (an inline panel)."""

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from events.models import EventPage

from .test_admin import add_url, admin_client, event_form  # noqa: F401 (admin_client is a fixture)

pytestmark = pytest.mark.django_db


def ticket(**fields):
    return {
        "name": "日票",
        "description": "",
        "price_fen": "3000",
        "capacity": "200",
        "max_per_order": "6",
        "cancellation_policy": "flexible",
        "sales_start": "",
        "sales_end": "",
        **fields,
    }


def test_editor_adds_a_paid_and_a_free_ticket_type(admin_client, event_index):  # noqa: F811
    data = event_form()
    data.update(
        nested_form_data({"ticket_types": inline_formset([ticket(), ticket(name="免费登记", price_fen="0")])})
    )
    response = admin_client.post(add_url(event_index), data)
    assert response.status_code == 302
    event = EventPage.objects.get(slug="peach-festival")
    assert sorted((t.name, t.price_fen) for t in event.ticket_types.all()) == [
        ("免费登记", 0),
        ("日票", 3000),
    ]


def test_sales_closing_before_opening_is_refused(admin_client, event_index):  # noqa: F811
    data = event_form()
    bad = ticket(sales_start="2026-03-10 09:00", sales_end="2026-03-01 09:00")
    data.update(nested_form_data({"ticket_types": inline_formset([bad])}))
    response = admin_client.post(add_url(event_index), data)
    assert response.status_code == 200
    assert "Sales must close after they open." in response.text
    assert not EventPage.objects.filter(slug="peach-festival").exists()
