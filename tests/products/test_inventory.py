"""Products as the reservation core's inventory: capacity is stock minus live claims."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders import reservations
from orders.exceptions import SoldOut
from orders.inventory import get_inventory
from orders.reservations import Claim
from products.inventory import ProductInventory
from products.selectors import units_left

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def claim(product, quantity):
    return Claim("product", product.pk, quantity)


def test_the_product_inventory_is_registered():
    assert isinstance(get_inventory("product"), ProductInventory)


def test_units_can_be_held_up_to_the_stock(product):
    reservations.reserve([claim(product, 6)])
    reservations.reserve([claim(product, 4)])
    assert units_left(product) == 0
    with pytest.raises(SoldOut):
        reservations.reserve([claim(product, 1)])


def test_stock_is_not_decremented_on_confirmation(product):
    """Stock stays the total put on sale; the confirmed claim is what counts (no double count)."""
    held = reservations.reserve([claim(product, 4)])
    reservations.confirm(held)
    product.refresh_from_db()
    assert product.stock == 10
    assert units_left(product) == 6
    reservations.reserve([claim(product, 6)])
    with pytest.raises(SoldOut):
        reservations.reserve([claim(product, 1)])


def test_expired_holds_give_their_units_back(product):
    now = timezone.now()
    reservations.reserve([claim(product, 10)], now=now, hold_for=timedelta(minutes=5))
    later = now + timedelta(minutes=6)
    assert units_left(product, now=later) == 10
    reservations.reserve([claim(product, 10)], now=later)


def test_cancelled_claims_give_their_units_back(product):
    held = reservations.reserve([claim(product, 10)])
    reservations.cancel(held)
    assert units_left(product) == 10


def test_restocking_raises_what_is_left(product):
    reservations.confirm(reservations.reserve([claim(product, 10)]))
    product.stock = 15
    product.save()
    assert units_left(product) == 5


def test_a_draft_product_cannot_be_reserved(product):
    product.live = False
    product.save()
    with pytest.raises(SoldOut):
        reservations.reserve([claim(product, 1)])
