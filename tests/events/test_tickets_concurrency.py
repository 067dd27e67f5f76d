"""PostgreSQL, real threads: 40 visitors check out the last 3 tickets at the same instant."""

import time

import pytest

from orders import reservations
from orders.models import Order
from orders.selectors import claimed_units
from tests.concurrency import baskets_with, check_out_at_once, without_the_inventory_lock
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.events import TicketTypeFactory

from .ticket_fixtures import buy_tickets, ticket_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 40


def race(ticket_type):
    """Each buyer, with their own account and a basket holding one ticket, checks out at once."""
    return check_out_at_once(baskets_with(ticket_data(ticket_type), BUYERS))


@pytest.fixture
def last_three(festival):
    """A ticket type of 10 with 7 already sold."""
    ticket_type = TicketTypeFactory(page=festival, capacity=10, max_per_order=10, price_fen=0)
    buy_tickets(VerifiedUserFactory(), ticket_type, 7)
    return ticket_type


def test_forty_buyers_for_the_last_three_tickets(last_three, monkeypatch):
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.01))
    counts = race(last_three)
    assert counts["ordered"] == 3, counts
    assert counts["ordered"] + counts["sold_out"] + counts["busy"] == BUYERS, counts
    assert claimed_units("ticket", [last_three.pk])[last_three.pk] == 10
    assert Order.objects.count() == 1 + 3


def test_control_without_the_lock_oversells(last_three, monkeypatch):
    """Proves the race above can fail: with the inventory lock off, more than 3 get tickets."""
    without_the_inventory_lock(monkeypatch)
    counts = race(last_three)
    assert counts["ordered"] > 3, counts
