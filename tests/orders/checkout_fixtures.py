"""Fixtures shared by the basket/checkout/order tests (imported by name in each test module)."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from orders import basket as basket_service
from orders import checkout as checkout_service
from orders.models import Basket
from orders.payments import base as payments_base
from orders.payments.base import PaymentProvider, StartResult
from orders.payments.on_site import OnSiteProvider
from orders.reservations import local_today
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory, RoomTypeFactory


@pytest.fixture
def english(client):
    """Messages and e-mails in English, whatever translations are compiled (the tests read them)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def stay_homestay(home_page):
    index = HomestayIndexPageFactory(parent=home_page, slug="homestays")
    return HomestayPageFactory(parent=index, cancellation_policy="moderate")


@pytest.fixture
def stay_room(stay_homestay):
    return RoomTypeFactory(page=stay_homestay, units=1, base_price_fen=30000, max_guests=2)


@pytest.fixture
def arrival():
    """A Monday three weeks ahead (no weekend prices on Monday–Wednesday nights)."""
    day = local_today() + timedelta(days=21)
    return day + timedelta(days=(7 - day.weekday()) % 7)


@pytest.fixture
def visitor(db):
    return VerifiedUserFactory()


def stay_data(room, arrival, nights=2, guests=2, **extra):
    return {
        "kind": "stay",
        "room_type_id": room.pk,
        "check_in": arrival.isoformat(),
        "check_out": (arrival + timedelta(days=nights)).isoformat(),
        "guests": guests,
        **extra,
    }


def basket_with_stay(user, room, arrival, nights=2, **extra):
    basket, _created = Basket.objects.get_or_create(user=user)
    basket_service.add_line(basket, stay_data(room, arrival, nights, **extra))
    return basket


def check_out(user, basket=None, **kwargs):
    kwargs.setdefault("contact_name", "李华")
    kwargs.setdefault("contact_phone", "+86 138 0000 0000")
    kwargs.setdefault("payment_method", "on_site")
    kwargs.setdefault("language", "en")
    if basket is None:
        basket = Basket.objects.get(user=user)
    return checkout_service.checkout(user, basket, **kwargs)


class FakeOnlineProvider(PaymentProvider):
    """An online provider that records what it was asked; refunds always succeed."""

    name = "fake_online"
    label = "Fake card"
    online = True

    def __init__(self):
        self.started, self.refunds = [], []

    def start(self, payment):
        self.started.append(payment.pk)
        return StartResult(client_secret=f"secret_{payment.pk}", needs_action=True)

    def can_refund_online(self, payment):
        return True

    def _refund(self, payment, amount_fen, *, reason=""):
        self.refunds.append((payment.pk, amount_fen))
        return f"fake_re_{payment.pk}_{len(self.refunds)}"


@pytest.fixture
def fake_online(monkeypatch):
    """FakeOnlineProvider next to on-site payment, for the test only."""
    provider = FakeOnlineProvider()
    providers = {"on_site": OnSiteProvider(), provider.name: provider}
    monkeypatch.setattr(payments_base, "_registry", lambda: providers)
    return provider


def later(minutes):
    return timezone.now() + timedelta(minutes=minutes)
