"""A new visitor with nothing but a mobile number signs up on the pages, then books a homestay
and pays on site: the whole way, as `make run` offers it."""

import pytest
from django.urls import reverse

from orders.models import Order
from tests.orders.checkout_fixtures import stay_data

from .phone_fixtures import code_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_phone_only_visitor_signs_up_books_and_pays_on_site(
    client, post, outbox, stay_room, arrival, mailoutbox
):
    post("/en/accounts/signup/", {"phone": "139 0000 0000"})
    post("/en/accounts/phone/verify/", {"code": code_in(outbox[0])})
    data = {**stay_data(stay_room, arrival), "rooms": 1}
    data.pop("kind")
    post(reverse("orders_basket_add"), data)
    page = client.get(reverse("orders_checkout"))
    assert page.status_code == 200
    response = post(
        reverse("orders_checkout"),
        {
            "contact_name": "王芳",
            "contact_phone": "13900000000",
            "payment_method": "on_site",
            "token": page.context["form"].initial["token"],
        },
    )
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert order.user.phone_number == "+8613900000000" and order.user.email is None
    assert order.reference in client.get(reverse("orders_trips")).content.decode()
    # No e-mail to an address the visitor does not have (SMS notices come later); the host's
    # e-mail still goes out where the host has one.
    assert all(None not in message.to for message in mailoutbox)
