"""Factories for the reservation core."""

from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from orders.models import Reservation, ReservationKind, ReservationStatus


class InventoryRowFactory(factory.django.DjangoModelFactory):
    """A lockable row standing in for a room type or slot in tests of the core (see tests/orders)."""

    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"inventory-row-{n}")


class ReservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reservation

    kind = ReservationKind.TOUR
    object_id = factory.Sequence(lambda n: n + 1)
    inventory_key = factory.LazyAttribute(lambda o: f"{o.kind}:{o.object_id}")
    quantity = 1
    status = ReservationStatus.HELD
    hold_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=30))

    class Params:
        confirmed = factory.Trait(status=ReservationStatus.CONFIRMED)


# --- baskets, orders, payments (checkout) -----------------------------------------------------


class BasketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.Basket"

    user = None
    session_key = ""


class OrderFactory(factory.django.DjangoModelFactory):
    """A bare order (no lines); the checkout service makes real ones in most tests."""

    class Meta:
        model = "orders.Order"

    reference = factory.Sequence(lambda n: f"TY-2030-{n:06d}")
    user = factory.SubFactory("tests.factories.accounts.VerifiedUserFactory")
    status = "pending"
    total_fen = 30000
    contact_name = "李华"
    contact_phone = "+86 138 0000 0000"


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.Payment"

    order = factory.SubFactory(OrderFactory)
    provider = "on_site"
    amount_fen = factory.LazyAttribute(lambda o: o.order.total_fen)
    currency = "CNY"
