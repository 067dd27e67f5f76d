"""Every kind refuses the same way (orders.basket.refusal): bad input is a 422 with the field's
message, something that cannot be had now a 409 with its reason (the API adds the error's code),
on the kind's page and in the API alike. The stay's form is not its page: it goes back to the page
by redirect with the same messages."""

import html
import json
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from orders.models import BasketLine
from orders.reservations import Claim, reserve
from tests.factories.attractions import (
    AttractionIndexPageFactory,
    ExperiencePageFactory,
    TourSlotFactory,
    tomorrow_at,
)
from tests.factories.events import EventIndexPageFactory, EventPageFactory, TicketTypeFactory
from tests.factories.products import ProductFactory, ShopPageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chinese")]


@pytest.fixture
def chinese(client):
    """Pages, API and messages all in the site's default language, so their texts compare."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    with translation.override("zh-hans"):
        yield


KINDS = ("stay", "tour", "ticket", "product")


@pytest.fixture
def case(request, home_page, stay_room, arrival):
    """For one kind: the page the visitor posts to, good data, bad data (and the field it names),
    and a claim that sells the thing out."""
    kind = request.param
    if kind == "stay":
        end = arrival + timedelta(days=2)
        good = {"room_type_id": stay_room.pk, "check_in": arrival.isoformat(), "check_out": end.isoformat()}
        return {
            "kind": kind,
            "url": reverse("orders_basket_add"),
            "good": {**good, "guests": 2, "rooms": 1},
            "bad": ({**good, "guests": 5, "rooms": 1}, "guests"),
            "claim": Claim("stay", stay_room.pk, 1, arrival, end),
        }
    if kind == "tour":
        experience = ExperiencePageFactory(parent=AttractionIndexPageFactory(parent=home_page), schedules=[])
        slot = TourSlotFactory(experience=experience, starts_at=tomorrow_at(9, days=3))
        return {
            "kind": kind,
            "url": experience.url,
            "good": {"slot_id": slot.pk, "adults": 2, "children": 0},
            "bad": ({"slot_id": slot.pk, "adults": 11, "children": 0}, "adults"),
            "claim": Claim("tour", slot.pk, 10),
        }
    if kind == "ticket":
        event = EventPageFactory(parent=EventIndexPageFactory(parent=home_page))
        ticket_type = TicketTypeFactory(page=event, capacity=3, max_per_order=4)
        return {
            "kind": kind,
            "url": event.tickets_url(),
            "good": {"ticket_type_id": ticket_type.pk, "quantity": 2},
            "bad": ({"ticket_type_id": ticket_type.pk, "quantity": 9}, "quantity"),
            "claim": Claim("ticket", ticket_type.pk, 3),
        }
    ShopPageFactory(parent=home_page)
    product = ProductFactory(stock=3)
    return {
        "kind": kind,
        "url": product.get_absolute_url(),
        "good": {"product_id": product.pk, "quantity": 2, "delivery": "pickup"},
        "bad": ({"product_id": product.pk, "quantity": 2, "delivery": "homestay"}, "delivery_date"),
        "claim": Claim("product", product.pk, 3),
    }


def page_post(client, case, data):
    """Post to the kind's page; (status, messages shown) as the visitor would see them."""
    response = client.post(case["url"], data)
    if case["kind"] == "stay":
        # The stay's form goes back to its page; the messages are shown there.
        assert response.status_code == 302
        return response.status_code, shown_messages(response)
    return response.status_code, response.text


def shown_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def api_post(client, case, data):
    body = {"kind": case["kind"], **data}
    return client.post("/api/v1/basket/lines", data=json.dumps(body), content_type="application/json")


def shows(shown, message):
    if isinstance(shown, list):
        return message in shown or any(message in item for item in shown)
    return html.escape(message) in shown


@pytest.mark.parametrize("case", KINDS, indirect=True)
def test_bad_input_is_a_422_with_the_field_in_the_api_and_the_same_message_on_the_page(client, case):
    data, field = case["bad"]
    response = api_post(client, case, data)
    assert response.status_code == 422, response.content
    errors = {error["loc"][-1]: error["msg"] for error in response.json()["detail"]}
    assert field in errors
    status, shown = page_post(client, case, data)
    assert status == (302 if case["kind"] == "stay" else 422)
    assert shows(shown, errors[field])
    assert not BasketLine.objects.exists()


@pytest.mark.parametrize("case", KINDS, indirect=True)
def test_sold_out_is_a_409_sold_out_with_the_same_reason_on_the_page(client, case):
    reserve([case["claim"]])
    response = api_post(client, case, case["good"])
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "sold_out"
    reason = response.json()["detail"]
    status, shown = page_post(client, case, case["good"])
    assert status == (302 if case["kind"] == "stay" else 409)
    assert shows(shown, reason)
    assert not BasketLine.objects.exists()


@pytest.mark.parametrize("case", KINDS, indirect=True)
def test_good_input_is_added_with_the_same_message_on_every_page(client, case):
    response = client.post(case["url"], case["good"])
    assert response.status_code == 302 and response["Location"] == reverse("orders_basket")
    assert shown_messages(response) == [translation.gettext("Added to your basket.")]
    assert BasketLine.objects.get().kind == case["kind"]
    response = api_post(client, case, case["good"])
    assert response.status_code == 201 and response.json()["kind"] == case["kind"]
