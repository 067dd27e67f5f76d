"""Money taken in person for an order paid on site: recorded once, with who took it and when."""

import pytest
from django.urls import reverse
from wagtail.users.models import UserProfile

from orders import order_state
from orders.models import OrderStatus, PaymentStatus
from tests.factories.accounts import SuperuserFactory, VerifiedUserFactory

from .checkout_fixtures import basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]


@pytest.fixture
def order(visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    return check_out(visitor).order


def test_marking_paid_records_who_took_the_money_once(order):
    staff, colleague = VerifiedUserFactory(is_staff=True), VerifiedUserFactory(is_staff=True)
    assert order_state.mark_paid_on_site(order, by_user=staff) == "paid"
    payment = order.payments.get()
    assert order_state.mark_paid_on_site(order, by_user=colleague) == "duplicate"
    again = order.payments.get()
    assert (again.status, again.recorded_by, again.paid_at) == (
        PaymentStatus.SUCCEEDED,
        staff,
        payment.paid_at,
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_order_admin_shows_who_marked_it_paid(client, order):
    staff = SuperuserFactory(email="desk@example.com")
    profile = UserProfile.get_for_user(staff)
    profile.preferred_language = "en"  # the admin in English, so the line reads as written
    profile.save()
    client.force_login(staff)
    url = reverse("orders_admin_manage", args=[order.pk])
    client.post(url, {"action": "mark_paid"})
    assert order.payments.get().recorded_by == staff
    assert "taken by desk@example.com" in client.get(url).text


def test_a_cancelled_order_cannot_be_marked_paid(order, visitor):
    order_state.cancel_order(order, by_user=visitor)
    with pytest.raises(order_state.OrderStateError):
        order_state.mark_paid_on_site(order, by_user=VerifiedUserFactory(is_staff=True))
    payment = order.payments.get()
    assert payment.status == PaymentStatus.CANCELED and payment.recorded_by is None
