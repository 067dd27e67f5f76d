"""The pages: add to basket, basket, checkout, My trips, cancel."""

import pytest
from django.urls import reverse

from orders.models import Order, OrderStatus
from tests.factories.accounts import UserFactory, VerifiedUserFactory

from .checkout_fixtures import basket_with_stay, check_out, stay_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def form_data(room, arrival, **extra):
    data = stay_data(room, arrival)
    data.pop("kind")
    return {**data, "rooms": 1, **extra}


def test_add_then_basket_page(client, stay_room, arrival):
    response = client.post(reverse("orders_basket_add"), form_data(stay_room, arrival, price_fen=1))
    assert response.status_code == 302
    page = client.get(reverse("orders_basket"))
    assert page.status_code == 200
    assert "¥600.00" in page.content.decode()


def test_add_bad_input_shows_message(client, stay_room, arrival):
    response = client.post(
        reverse("orders_basket_add"), form_data(stay_room, arrival, guests=-3), follow=True
    )
    assert response.status_code == 200
    assert not client.get(reverse("orders_basket")).context["summary"].lines


def test_remove_others_line_404(client, visitor, stay_room, arrival):
    basket = basket_with_stay(UserFactory(), stay_room, arrival)
    line = basket.lines.get()
    assert client.post(reverse("orders_basket_remove", args=[line.pk])).status_code == 404


def test_checkout_page_flow(client, visitor, stay_room, arrival, django_capture_on_commit_callbacks):
    client.force_login(visitor)
    client.post(reverse("orders_basket_add"), form_data(stay_room, arrival))
    page = client.get(reverse("orders_checkout"))
    assert page.status_code == 200
    token = page.context["form"].initial["token"]
    data = {
        "contact_name": "李华",
        "contact_phone": "13800000000",
        "payment_method": "on_site",
        "token": token,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orders_checkout"), data)
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    detail = client.get(order.get_absolute_url())
    assert detail.status_code == 200
    body = detail.content.decode()
    assert order.reference in body and "<svg" in body
    # A second submit of the same form: the same order, no second one.
    again = client.post(reverse("orders_checkout"), data)
    assert again.status_code == 302
    assert Order.objects.count() == 1
    trips = client.get(reverse("orders_trips"))
    assert order.reference in trips.content.decode()


def test_checkout_page_needs_verified_email(client, stay_room, arrival):
    client.force_login(UserFactory())
    client.post(reverse("orders_basket_add"), form_data(stay_room, arrival))
    response = client.get(reverse("orders_checkout"))
    assert "account/verified_email_required.html" in [t.name for t in response.templates]
    response = client.post(reverse("orders_checkout"), {"contact_name": "a", "contact_phone": "13800000000"})
    assert "account/verified_email_required.html" in [t.name for t in response.templates]
    assert not Order.objects.exists()


def test_cancel_from_my_trips(client, visitor, stay_room, arrival, django_capture_on_commit_callbacks):
    basket_with_stay(visitor, stay_room, arrival)
    order = check_out(visitor).order
    client.force_login(visitor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orders_order_cancel", args=[order.reference]), {"confirm": "on"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_others_order_pages_404(client, visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    order = check_out(visitor).order
    client.force_login(VerifiedUserFactory())
    assert client.get(order.get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("orders_order_cancel", args=[order.reference]), {"confirm": "on"}).status_code
        == 404
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_homestay_page_offers_add_to_basket(client, stay_room, arrival):
    from datetime import timedelta

    url = stay_room.page.url + f"?check_in={arrival}&check_out={arrival + timedelta(days=2)}&guests=2"
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("orders_basket_add") in body and f'value="{stay_room.pk}"' in body


def checkout_data(page, **extra):
    return {
        "contact_name": "李华",
        "contact_phone": "13800000000",
        "payment_method": "on_site",
        "token": page.context["form"].initial["token"],
        "shown_total_fen": page.context["summary"].total.fen,
        **extra,
    }


def test_checkout_page_stops_when_the_total_changed(client, visitor, stay_room, arrival):
    from homestays.models import RoomType
    from orders.models import Payment, Reservation

    client.force_login(visitor)
    client.post(reverse("orders_basket_add"), form_data(stay_room, arrival))
    page = client.get(reverse("orders_checkout"))
    assert 'name="shown_total_fen" value="60000"' in page.content.decode()
    data = checkout_data(page)
    RoomType.objects.filter(pk=stay_room.pk).update(base_price_fen=35000)  # the host raised the price

    response = client.post(reverse("orders_checkout"), data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "The total has changed since this page was shown: it was ¥600.00 and is now ¥700.00." in body
    assert 'role="alert"' in body
    # The page now shows, and will send, the new total; nothing was booked or charged.
    assert 'name="shown_total_fen" value="70000"' in body and "¥700.00" in body
    assert not Order.objects.exists() and not Payment.objects.exists() and not Reservation.objects.exists()

    response = client.post(reverse("orders_checkout"), {**data, "shown_total_fen": "70000"})
    assert response.status_code == 302
    assert Order.objects.get().total_fen == 70000


@pytest.mark.parametrize("shown", ["abc", "-1", "600.5"])
def test_checkout_page_refuses_a_malformed_total(client, visitor, stay_room, arrival, shown):
    client.force_login(visitor)
    client.post(reverse("orders_basket_add"), form_data(stay_room, arrival))
    page = client.get(reverse("orders_checkout"))
    response = client.post(reverse("orders_checkout"), checkout_data(page, shown_total_fen=shown))
    assert response.status_code == 422
    assert "The total shown must be a whole number of fen" in response.content.decode()
    assert not Order.objects.exists()


def test_checkout_page_of_a_free_basket_has_no_payment_step(
    client, visitor, stay_homestay, arrival, monkeypatch, django_capture_on_commit_callbacks
):
    from orders.models import Payment
    from orders.payments import base as payments_base
    from tests.factories.homestays import RoomTypeFactory

    from .checkout_fixtures import FakeOnlineProvider

    online = FakeOnlineProvider()  # pay-on-site switched off: nothing a free order could use
    monkeypatch.setattr(payments_base, "_registry", lambda: {online.name: online})
    free_room = RoomTypeFactory(page=stay_homestay, base_price_fen=0)
    client.force_login(visitor)
    client.post(reverse("orders_basket_add"), form_data(free_room, arrival))
    page = client.get(reverse("orders_checkout"))
    body = page.content.decode()
    assert 'name="payment_method"' not in body
    assert "Nothing to pay" in body
    data = checkout_data(page)
    del data["payment_method"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orders_checkout"), data)
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert order.status == OrderStatus.CONFIRMED and order.total_fen == 0
    assert not Payment.objects.exists() and online.started == []
    assert order.lines.get().voucher.code


def test_checkout_page_asks_for_a_method_when_there_is_something_to_pay(client, visitor, stay_room, arrival):
    client.force_login(visitor)
    client.post(reverse("orders_basket_add"), form_data(stay_room, arrival))
    page = client.get(reverse("orders_checkout"))
    assert 'name="payment_method"' in page.content.decode()
    data = checkout_data(page)
    del data["payment_method"]
    response = client.post(reverse("orders_checkout"), data)
    assert response.status_code == 422
    assert response.context["form"].errors["payment_method"]
    assert not Order.objects.exists()
