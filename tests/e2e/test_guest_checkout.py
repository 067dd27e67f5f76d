"""Issue 15 item 2 in a browser at phone width: a new visitor books a homestay with only a mobile
number (guest checkout, the code read from the in-memory SMS backend), pays on site, and later
finds the order in My trips after logging in by phone code."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from orders.models import Order
from tests.e2e.conftest import fill_form
from town import sms

pytestmark = pytest.mark.e2e

PHONE = "+8613900000000"


def last_code():
    message = sms.outbox[-1]
    assert message.phone == PHONE
    return message.params["code"]


def test_a_new_visitor_books_with_only_a_phone_number_and_finds_it_in_my_trips(
    journey, homestay, arrival, time_machine, settings
):
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    homestay_page, room = homestay
    page = journey.new_page(phone=True)

    # Dates on the homestay page, then the room into the basket: no account so far.
    page.goto(homestay_page.url)
    quote = page.locator("#stay form")
    fill_form(
        page, quote, {"check_in": arrival.isoformat(), "check_out": (arrival + timedelta(days=2)).isoformat()}
    )
    quote.locator('[type="submit"]').click()
    page.wait_for_url(re.compile(r"check_in="))
    page.locator("#rooms .room-type").filter(has_text=room.name).locator(
        'form.add-stay [type="submit"]'
    ).click()
    page.wait_for_url(re.compile(reverse("orders_basket") + "$"))
    page.locator(f'a[href="{reverse("orders_checkout")}"]').click()
    page.wait_for_url(re.compile(reverse("orders_checkout") + "$"))
    journey.shot(page, "guest-checkout")

    # The number, "Send code": the page comes back with what was typed and says where the code went.
    checkout = page.locator("main form").filter(has=page.locator('[name="phone"]'))
    fill_form(page, checkout, {"contact_name": "王芳", "phone": "139 0000 0000", "payment_method": "on_site"})
    checkout.locator('[name="send_code"]').click()
    page.wait_for_selector("#code-sent")
    assert page.locator('[name="contact_name"]').input_value() == "王芳"
    journey.shot(page, "code-sent")
    phone_size = page.viewport_size
    page.set_viewport_size({"width": 1280, "height": 900})
    journey.shot(page, "code-sent-1280")
    page.set_viewport_size(phone_size)

    # The code from the text message, Enter in its field: the order is placed (not another code).
    page.locator('[name="code"]').fill(last_code())
    page.locator('[name="code"]').press("Enter")
    page.wait_for_url(re.compile(r"/trips/TY-[\w-]+/$"))
    journey.shot(page, "order")
    order = Order.objects.get()
    assert order.user.phone_number == PHONE and order.status == "confirmed"
    assert order.payments.get().provider == "on_site"
    # The code, then the confirmation with the order's short link (issue 15 item 5).
    assert [message.template for message in sms.outbox] == ["verification_code", "order_confirmed"]

    # Later, on another phone: log in by code, and My trips lists the order.
    time_machine.shift(61)  # one code a minute per number
    later = journey.new_page(phone=True)
    later.goto(reverse("account_request_login_code"))
    request_form = later.locator("main form").filter(has=later.locator('[name="phone"]'))
    request_form.locator('[name="phone"]').fill("13900000000")
    request_form.locator('[type="submit"]').click()
    later.wait_for_url(re.compile(reverse("account_confirm_login_code")))
    confirm = later.locator("main form").filter(has=later.locator('[name="code"]'))
    confirm.locator('[name="code"]').fill(last_code())
    confirm.locator('[type="submit"]').first.click()
    later.wait_for_load_state()
    later.goto(reverse("orders_trips"))
    assert order.reference in later.locator("main").inner_text()
    journey.shot(later, "my-trips")
