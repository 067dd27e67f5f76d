"""Fixtures of the ticket and gate tests: an event with a venue in a village, ticket helpers."""

import datetime

import pytest
from django.utils import timezone

from orders.models import Basket
from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory
from tests.factories.events import EventIndexPageFactory, EventPageFactory, TicketTypeFactory
from tests.factories.town import VillageFactory
from tests.orders.checkout_fixtures import check_out


@pytest.fixture
def festival_village(db):
    return VillageFactory(name="桃花坞")


@pytest.fixture
def festival(home_page, festival_village):
    attractions = AttractionIndexPageFactory(parent=home_page)
    venue = AttractionPageFactory(parent=attractions, title="桃园广场", village=festival_village)
    index = EventIndexPageFactory(parent=home_page)
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=10)
    return EventPageFactory(
        parent=index, title="桃花节", venue=venue, start=start, end=start + datetime.timedelta(hours=8)
    )


@pytest.fixture
def day_pass(festival):
    return TicketTypeFactory(page=festival, name="日票", price_fen=8000, capacity=5, max_per_order=4)


@pytest.fixture
def free_pass(festival):
    return TicketTypeFactory(page=festival, name="免费登记", price_fen=0, capacity=3, max_per_order=2)


def ticket_data(ticket_type, quantity=1):
    return {"kind": "ticket", "ticket_type_id": ticket_type.pk, "quantity": quantity}


def buy_tickets(user, ticket_type, quantity=1, **checkout_kwargs):
    """Put ``quantity`` tickets in ``user``'s basket and check out (on site); return the result."""
    from orders import basket as basket_service

    basket, _created = Basket.objects.get_or_create(user=user)
    basket_service.add_line(basket, ticket_data(ticket_type, quantity))
    return check_out(user, basket, **checkout_kwargs)
