"""A homestay with two room types and stays around the nights staff call off, for the tests of
calling off a homestay's nights (``orders.organiser_cancel`` with ``nights``)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from orders import basket as basket_service
from orders import order_state
from orders.models import Basket, Payment
from orders.payments.base import PaymentProvider, StartResult
from orders.payments.exceptions import PaymentError
from tests.factories.accounts import SuperuserFactory, VerifiedUserFactory
from tests.factories.homestays import RoomTypeFactory
from tests.orders.checkout_fixtures import check_out, stay_data

NIGHT_FEN = 30000


class RefusingProvider(PaymentProvider):
    """An online wallet with a 90-day refund window, as a direct Alipay contract; ``book_stay``
    dates its payments 91 days back (a stay booked far ahead), so its refunds are refused."""

    name = "refusing_online"
    label = "Refusing card"
    online = True
    refund_window = timedelta(days=90)

    def start(self, payment):
        return StartResult(client_secret=f"secret_{payment.pk}", needs_action=True)

    def can_refund_online(self, payment):
        return self.within_refund_window(payment)

    def _refund(self, payment, amount_fen, *, reason=""):
        raise PaymentError("never")  # never reached: the window has closed


@dataclass
class Rooms:
    homestay: object
    garden: object  # 园景房, 1 unit
    loft: object  # 阁楼, 1 unit
    closed_night: object  # the night staff call off: arrival + 1

    @property
    def nights(self):
        return (self.closed_night, self.closed_night + timedelta(days=1))


@pytest.fixture
def rooms(stay_homestay, arrival):
    garden = RoomTypeFactory(
        page=stay_homestay, name="园景房", units=1, base_price_fen=NIGHT_FEN, max_guests=2
    )
    loft = RoomTypeFactory(page=stay_homestay, name="阁楼", units=1, base_price_fen=NIGHT_FEN, max_guests=2)
    return Rooms(stay_homestay, garden, loft, arrival + timedelta(days=1))


@pytest.fixture
def staff(db):
    return SuperuserFactory(email="staff@example.com")


@pytest.fixture
def refusing(monkeypatch, fake_online):
    """Next to on-site and the fake online provider, one that refuses every refund."""
    from orders.payments import base as payments_base

    providers = dict(payments_base._registry())
    provider = RefusingProvider()
    providers[provider.name] = provider
    monkeypatch.setattr(payments_base, "_registry", lambda: providers)
    return provider


def book_stay(room, check_in, nights=2, *, method="on_site", language="en", paid=True, extra=(), user=None):
    """A visitor books ``nights`` of ``room`` (and ``extra`` basket lines) and pays: online, or on
    site marked paid by staff."""
    user = user or VerifiedUserFactory()
    basket, _created = Basket.objects.get_or_create(user=user)
    for data in [stay_data(room, check_in, nights), *extra]:
        basket_service.add_line(basket, dict(data))
    order = check_out(user, basket, payment_method=method, language=language).order
    if paid:
        payment = order.payments.get()
        if method == "on_site":
            order_state.mark_paid_on_site(order, by_user=VerifiedUserFactory(is_staff=True))
        else:
            order_state.payment_succeeded(payment, amount_fen=payment.amount_fen, currency="CNY")
        if method == RefusingProvider.name:
            Payment.objects.filter(pk=payment.pk).update(paid_at=timezone.now() - timedelta(days=91))
    order.refresh_from_db()
    return order
