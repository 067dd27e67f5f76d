"""Test-only inventories: auth Groups stand in for room types and slots, so the core is tested
without any app that sells things. Capacities are set per test."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group

from orders import inventory as inventory_module
from orders.inventory import Inventory, register_inventory
from orders.reservations import local_today
from tests.factories.orders import InventoryRowFactory


class FakeInventory(Inventory):
    model = Group

    def __init__(self, kind, *, per_night, units=1):
        self.kind = kind
        self.per_night = per_night
        self.units = units
        self.closed = set()
        self.validate_error = None

    def capacity(self, obj, day):
        return 0 if day in self.closed else self.units

    def validate(self, obj, claim):
        if self.validate_error:
            raise self.validate_error


@pytest.fixture
def register_fake():
    """Register fake inventories for the test, then put back whatever the apps had registered."""
    saved = dict(inventory_module._registry)

    def register(kind, *, per_night, units=1):
        return register_inventory(FakeInventory(kind, per_night=per_night, units=units))

    yield register
    inventory_module._registry.clear()
    inventory_module._registry.update(saved)


@pytest.fixture
def units(register_fake):
    """A "tour" inventory of 1 unit per row (capacity not per night)."""
    return register_fake("tour", per_night=False, units=1)


@pytest.fixture
def nights(register_fake):
    """A "stay" inventory of 1 unit per row and night."""
    return register_fake("stay", per_night=True, units=1)


@pytest.fixture
def row(db):
    return InventoryRowFactory()


@pytest.fixture
def day():
    """Day n from tomorrow in the town's time zone, so no claim lands in the past."""
    tomorrow = local_today() + timedelta(days=1)
    return lambda n: tomorrow + timedelta(days=n)
