"""PostgreSQL, real threads: 30 buyers check out the 5 units a live session set aside, at the same
instant, while the session is live."""

import time

import pytest
import time_machine

from live import services
from live.inventory import LIVE
from orders import reservations
from orders.models import Order, OrderLine
from orders.selectors import claimed_units
from products.selectors import units_left
from tests.concurrency import baskets_with, check_out_at_once, without_the_inventory_lock
from tests.factories.products import ProductFactory

from .conftest import BEFORE, DURING, make_session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.date_sensitive]

BUYERS = 30
SESSION_STOCK = 5


@pytest.fixture
def pin(home_page):
    """20 units in the shop, 5 of them pinned to a session at ¥50."""
    product = ProductFactory(stock=20, price_fen=6800)
    session = make_session(product.producer)
    with time_machine.travel(BEFORE, tick=False):
        return services.pin_product(session, product, price_fen=5000, stock=SESSION_STOCK)


def race(pin):
    line = {
        "kind": "product",
        "product_id": pin.product_id,
        "quantity": 1,
        "delivery": "pickup",
        "live_pin": pin.pk,
    }
    # The clock stands still in the session: every thread sees it live.
    with time_machine.travel(DURING, tick=False):
        baskets = baskets_with(line, BUYERS)
        return check_out_at_once(baskets), baskets


def test_thirty_buyers_for_five_session_units(pin, monkeypatch):
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.01))
    counts, baskets = race(pin)
    assert counts["ordered"] == SESSION_STOCK, counts
    assert counts["ordered"] + counts["sold_out"] + counts["busy"] == BUYERS, counts
    assert Order.objects.count() == SESSION_STOCK
    lines = OrderLine.objects.filter(kind="product", options__live_pin=pin.pk)
    assert sorted(lines.values_list("unit_price_fen", flat=True)) == [5000] * SESSION_STOCK
    with time_machine.travel(DURING, tick=False):
        assert claimed_units(LIVE, [pin.pk])[pin.pk] == SESSION_STOCK
        # The shop still has its own 15 and no more: the session sold only what it set aside.
        assert units_left(pin.product) == 15
    assert sum(basket.lines.count() for basket in baskets) == BUYERS - SESSION_STOCK


def test_control_without_the_lock_oversells(pin, monkeypatch):
    """Proves the race above can fail: with the inventory lock off, more than 5 are sold."""
    without_the_inventory_lock(monkeypatch)
    counts, _baskets = race(pin)
    assert counts["ordered"] > SESSION_STOCK, counts
