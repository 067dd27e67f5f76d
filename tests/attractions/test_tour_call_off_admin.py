"""The admin page that calls off a tour slot: it shows how many orders, visitors and how much money
(per payment provider) it touches, changes nothing until staff give a reason and confirm, and is
open only to staff who may both change slots and manage orders."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.users.models import UserProfile

from accounts.roles import EDITORS
from accounts.services import assign_role
from attractions.models import TourSlot, TourSlotStatus
from orders import basket as basket_service
from orders import order_state
from orders.models import Basket, Order, OrderStatus, Refund
from tests.factories.accounts import SuperuserFactory, UserFactory, VerifiedUserFactory
from tests.orders.checkout_fixtures import check_out

from .tour_fixtures import tour_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]


def english_admin(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def staff(client):
    user = english_admin(SuperuserFactory())
    client.force_login(user)
    return user


def url(slot):
    return reverse("wagtailsnippets_attractions_tourslot:call_off", args=[slot.pk])


def book(slot, *, adults=1, children=0, method="on_site"):
    user = VerifiedUserFactory()
    basket = Basket.objects.create(user=user)
    basket_service.add_line(basket, tour_data(slot, adults=adults, children=children))
    return check_out(user, basket, payment_method=method).order


@pytest.fixture
def booked(slot, fake_online, django_capture_on_commit_callbacks):
    """Three orders on the slot: ¥160 paid on site, ¥120 paid by (fake) card, ¥80 not paid yet."""
    desk = SuperuserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        on_site = book(slot, adults=2)
        order_state.mark_paid_on_site(on_site, by_user=desk)
        card = book(slot, adults=1, children=1, method="fake_online")
        payment = card.payments.get()
        order_state.payment_succeeded(payment, amount_fen=payment.amount_fen, currency="CNY")
        book(slot, adults=1)
    return slot


def test_the_page_shows_what_calling_off_touches_and_changes_nothing(client, staff, booked):
    response = client.get(url(booked))

    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.orders, summary.guests, summary.places, summary.unpaid_orders) == (3, 5, 5, 1)
    assert dict(summary.refund_by_provider) == {"on_site": 16000, "fake_online": 12000}
    html = response.text
    assert "Orders affected" in html and "¥280.00" in html
    assert "Pay on site: <strong>¥160.00</strong>" in html
    assert "Fake card: <strong>¥120.00</strong>" in html
    assert "1 order: cancelled, nothing to refund" in html
    assert "Cancel and refund 3 orders" in html
    assert TourSlot.objects.get(pk=booked.pk).status == TourSlotStatus.OPEN
    assert not Order.objects.filter(status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED]).exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"reason": "暴雨"}, {"confirm": "on"}, {"reason": "   ", "confirm": "on"}],
    ids=["nothing", "no-confirmation", "no-reason", "blank-reason"],
)
def test_without_a_reason_and_a_confirmation_nothing_happens(client, staff, booked, data):
    response = client.post(url(booked), data)
    assert response.status_code == 422
    assert response.context["form"].errors
    assert TourSlot.objects.get(pk=booked.pk).status == TourSlotStatus.OPEN
    assert not Refund.objects.exists()


def test_confirming_cancels_refunds_and_goes_back_to_the_slots(
    client, staff, booked, fake_online, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(booked), {"reason": "暴雨预警", "confirm": "on"})

    assert response.status_code == 302
    assert response.url == reverse("wagtailsnippets_attractions_tourslot:list")
    assert TourSlot.objects.get(pk=booked.pk).status == TourSlotStatus.CANCELLED
    assert sorted(Order.objects.values_list("status", flat=True)) == ["cancelled", "refunded", "refunded"]
    assert sum(Refund.objects.values_list("amount_fen", flat=True)) == 28000
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("3 orders cancelled, ¥280.00 refunded" in m for m in messages)
    # Opened again, the page says it is done and offers nothing more to cancel.
    again = client.get(url(booked))
    assert "This tour slot is cancelled" in again.text and "No open order is booked on it." in again.text
    assert 'name="reason"' not in again.text


def test_an_unknown_slot_is_a_404(client, staff):
    assert (
        client.get(reverse("wagtailsnippets_attractions_tourslot:call_off", args=[999999])).status_code == 404
    )


def test_anonymous_visitors_are_sent_to_log_in(client, slot):
    response = client.get(url(slot))
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize("perms", [(), ("change_tourslot",), ("change_order",)])
def test_staff_need_both_the_slot_and_the_orders_permission(client, slot, perms):
    """An editor (admin access, page rights) may not move money; nor may one who can change slots
    but not orders, or orders but not slots."""
    user = english_admin(UserFactory())
    assign_role(user, EDITORS)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", *perms]))
    client.force_login(user)
    # Wagtail answers a refused admin page with a redirect to the dashboard and a message.
    for response in (client.get(url(slot)), client.post(url(slot), {"reason": "x", "confirm": "on"})):
        assert (response.status_code, response.url) == (302, reverse("wagtailadmin_home"))
    assert TourSlot.objects.get(pk=slot.pk).status == TourSlotStatus.OPEN


def test_staff_with_both_permissions_may(client, slot):
    user = english_admin(UserFactory())
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "change_tourslot", "change_order"])
    )
    client.force_login(user)
    assert client.get(url(slot)).status_code == 200
