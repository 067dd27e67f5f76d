"""The demo step of tickets and "This month in the town": free, paid, sold-out tickets."""

import pytest

from events.models import SeasonPage, TicketType
from events.selectors import ticket_offers
from orders.models import Order

pytestmark = pytest.mark.django_db


def test_demo_festivals_have_ticket_types_some_free_some_sold_and_a_season_page(client, demo_town):
    tickets = TicketType.objects.select_related("page")
    assert tickets.filter(price_fen=0).exists()
    assert tickets.filter(price_fen__gt=0).exists()
    offers = [offer for event in {t.page for t in tickets} for offer in ticket_offers(event)]
    assert any(offer.state == "sold_out" for offer in offers)
    assert any(offer.remaining < offer.ticket_type.capacity for offer in offers if offer.state != "sold_out")
    # A second run adding nothing is checked for every step in tests/demo/test_load_twice.py.
    assert Order.objects.filter(lines__kind="ticket").exists()
    season = SeasonPage.objects.live().first()
    assert season is not None
    assert client.get(season.url).status_code == 200
    home = client.get("/")
    assert home.status_code == 200
    assert season.url in home.text
    festival = next(offer.ticket_type.page for offer in offers if offer.on_sale)
    assert 'class="ticket-card__form"' in client.get(festival.url).text
