"""PostgreSQL, real threads: 30 buyers check out the last 5 units of a product at the same instant."""

import time

import pytest

from orders import reservations
from orders.models import Order, OrderLine
from orders.selectors import claimed_units
from tests.concurrency import baskets_with, check_out_at_once, without_the_inventory_lock
from tests.factories.products import ProductFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 30
LAST_UNITS = 5


@pytest.fixture
def last_units(home_page):
    """A product with 5 units left: 20 put on sale, 15 already sold. (``home_page`` rebuilds the
    default locale and page tree that earlier transactional tests flushed away.)"""
    product = ProductFactory(stock=20)
    reservations.confirm(reservations.reserve([reservations.Claim("product", product.pk, 15)]))
    return product


def race(product):
    """Each buyer with their own account and basket checks out at the same instant."""
    line = {"kind": "product", "product_id": product.pk, "quantity": 1, "delivery": "pickup"}
    baskets = baskets_with(line, BUYERS)
    return check_out_at_once(baskets), baskets


def test_thirty_buyers_for_the_last_five_units(last_units, monkeypatch):
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.01))
    counts, baskets = race(last_units)
    assert counts["ordered"] == LAST_UNITS, counts
    assert counts["ordered"] + counts["sold_out"] + counts["busy"] == BUYERS, counts
    assert Order.objects.count() == LAST_UNITS
    assert sum(OrderLine.objects.filter(kind="product").values_list("quantity", flat=True)) == LAST_UNITS
    assert claimed_units("product", [last_units.pk])[last_units.pk] == 20
    # The buyers who missed out still have their line (nothing half-written).
    assert sum(basket.lines.count() for basket in baskets) == BUYERS - LAST_UNITS


def test_control_without_the_lock_oversells(last_units, monkeypatch):
    """Proves the race above can fail: with the inventory lock off, more than 5 units are sold."""
    without_the_inventory_lock(monkeypatch)
    counts, _baskets = race(last_units)
    assert counts["ordered"] > LAST_UNITS, counts
    assert claimed_units("product", [last_units.pk])[last_units.pk] > 20
