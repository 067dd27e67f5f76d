"""Issue #4 in a browser: sign up, verify by the e-mail's link, book a stay, pay on site, see the voucher."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from orders.models import Order
from tests.e2e.conftest import fill_form

pytestmark = pytest.mark.e2e

EMAIL = "xiaoming@example.com"
PASSWORD = "qing-xi-Tao-hua-2026"


def verification_link():
    """The confirmation link in the one e-mail the sign-up sent."""
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    links = re.findall(r"https?://\S+/accounts/confirm-email/\S+/", message.body)
    assert links, message.body
    return links[0]


def test_visitor_signs_up_books_a_stay_and_finds_the_voucher_in_my_trips(journey, homestay, arrival):
    homestay_page, room = homestay
    page = journey.new_page(phone=True)

    # Sign up with an e-mail address; allauth sends the verification link.
    page.goto(reverse("account_signup"))
    form = page.locator("form").filter(has=page.locator('[name="password2"]'))
    fill_form(page, form, {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD})
    journey.shot(page, "sign-up")
    form.locator('[type="submit"]').click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    journey.shot(page, "verification-sent")

    # Follow the link from the e-mail and confirm: that also logs the visitor in.
    link = verification_link()
    page.goto(link)
    journey.shot(page, "confirm-email")
    confirm = page.locator('main form[action*="/accounts/confirm-email/"]')
    assert confirm.count() == 1
    with page.expect_navigation():
        confirm.locator('[type="submit"]').click()
    journey.shot(page, "verified")
    assert EmailAddress.objects.get(email=EMAIL).verified

    # Pick dates and guests on the homestay page (its one stay form): each room shows the price
    # of the two nights.
    page.goto(homestay_page.url)
    check_out = arrival + timedelta(days=2)
    quote = page.locator("#stay form")
    fill_form(page, quote, {"check_in": arrival.isoformat(), "check_out": check_out.isoformat(), "guests": 2})
    journey.shot(page, "dates")
    quote.locator('[type="submit"]').click()
    page.wait_for_url(re.compile(r"check_in="))
    total = page.locator("#rooms .room-type").filter(has_text=room.name).locator(".quote-total")
    assert total.inner_text().replace(",", "").count("656") == 1  # ¥328 × 2 nights
    journey.shot(page, "quote")

    # Add the stay to the basket; the basket shows it at the server's price.
    add = page.locator("#rooms .room-type").filter(has_text=room.name).locator("form.add-stay")
    assert add.locator('[name="check_in"]').input_value() == arrival.isoformat()
    add.locator('[type="submit"]').click()
    page.wait_for_url(re.compile(reverse("orders_basket") + "$"))
    lines = page.locator(".basket__lines .basket-line")
    assert lines.count() == 1
    assert homestay_page.title in lines.first.inner_text()
    assert "656" in lines.first.locator(".basket-line__price").inner_text().replace(",", "")
    journey.shot(page, "basket")

    # Check out, paying on site.
    page.locator(f'a[href="{reverse("orders_checkout")}"]').click()
    page.wait_for_url(re.compile(reverse("orders_checkout") + "$"))
    checkout = page.locator("main form").filter(has=page.locator('[name="contact_name"]'))
    fill_form(
        page,
        checkout,
        {"contact_name": "王小明", "contact_phone": "13800138000", "payment_method": "on_site"},
    )
    journey.shot(page, "checkout")
    checkout.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/trips/TY-[\w-]+/$"))
    journey.shot(page, "order")

    order = Order.objects.get(user__email=EMAIL)
    assert order.status == "confirmed"
    assert order.total_fen == 65600
    assert order.payments.get().provider == "on_site"
    line = order.lines.get()
    assert (line.start_date, line.end_date) == (arrival, check_out)
    code = line.voucher.code
    assert page.url.endswith(reverse("orders_order_detail", args=[order.reference]))
    assert order.reference in page.locator("h1").inner_text()
    assert page.locator(".voucher__code").inner_text() == code

    # "My trips" lists the booking with its voucher code and QR image.
    page.goto(reverse("orders_trips"))
    trip = page.locator("section.trip").filter(has_text=order.reference)
    assert trip.count() == 1
    assert trip.locator(".voucher__code").inner_text() == code
    qr = trip.locator(".voucher__qr svg")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box["width"] >= 60 and box["height"] >= 60
    assert qr.locator("path, rect").count() > 0
    journey.shot(page, "my-trips")
