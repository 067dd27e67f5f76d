"""Guest checkout on the checkout page (issue 15): a visitor without an account gives a mobile
number, gets a code by SMS and places the order with it, no password chosen. The code logs them
into the account of that number (made for it), so My trips shows the order after any later
log-in by code. Through our real views and allauth's, the in-memory SMS backend."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from orders.models import BasketLine, Order, OrderStatus
from tests.factories.accounts import DEFAULT_PASSWORD, UserFactory
from tests.orders.checkout_fixtures import basket_with_stay, stay_data

from .phone_fixtures import code_in

pytestmark = pytest.mark.django_db

PHONE = "+8613900000000"
User = get_user_model()


@pytest.fixture
def clock(time_machine):
    time_machine.move_to("2026-06-01 09:00 +08:00", tick=False)
    return time_machine


@pytest.fixture
def in_basket(client, post, stay_room, arrival):
    """An anonymous visitor with a stay in the basket, on the checkout page (in ``language``)."""

    def adding(language="en"):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        data = {**stay_data(stay_room, arrival), "rooms": 1}
        data.pop("kind")
        assert post(reverse("orders_basket_add"), data).status_code == 302
        page = client.get("/en/checkout/" if language == "en" else "/checkout/")
        assert page.status_code == 200
        return page

    return adding


def form_data(page, **extra):
    (line,) = page.context["summary"].lines
    return {
        "token": page.context["form"].initial["token"],
        "shown_total_fen": page.context["summary"].total.fen,
        "contact_name": "王芳",
        "phone": "139 0000 0000",
        "payment_method": "on_site",
        f"note_{line.line.pk}": "We arrive by the evening bus.",
        **extra,
    }


def send_code(post, page, url="/en/checkout/", **extra):
    return post(url, {**form_data(page, **extra), "send_code": "1"})


def test_a_new_visitor_books_a_stay_paid_on_site_with_only_a_phone_number(
    client, post, outbox, in_basket, clock
):
    page = in_basket()
    assert {"phone", "code"} <= set(page.context["form"].fields)
    assert "contact_phone" not in page.context["form"].fields

    sent = send_code(post, page)
    assert sent.status_code == 200
    assert [m.phone for m in outbox] == [PHONE]
    html = sent.content.decode()
    assert "We texted a code to +86 139 0000 0000. It is valid for 5 minutes." in html
    # What was typed before "Send code" is still there.
    assert "We arrive by the evening bus." in html and "王芳" in html
    assert not User.objects.exists() and "_auth_user_id" not in client.session

    placed = post("/en/checkout/", form_data(page, code=code_in(outbox[0])))
    order = Order.objects.get()
    assert placed.status_code == 302 and placed["Location"] == order.get_absolute_url()
    assert order.status == OrderStatus.CONFIRMED and order.payments.get().provider == "on_site"
    assert (order.contact_name, order.contact_phone) == ("王芳", PHONE)
    assert order.lines.get().note == "We arrive by the evening bus."
    user = order.user
    assert user.phone_number == PHONE and user.phone_verified
    assert not user.has_usable_password() and user.email is None
    assert not BasketLine.objects.exists()

    client.logout()
    clock.shift(61)  # one code a minute per number
    assert client.get(reverse("orders_trips")).status_code == 302
    post("/en/accounts/login/code/", {"phone": "13900000000"})
    # The confirmation reached the phone-only guest by SMS, with the order's short link.
    assert outbox[1].template == "order_confirmed" and f"/en/o/{order.reference}/" in outbox[1].text
    post("/en/accounts/login/code/confirm/", {"code": code_in(outbox[2])})
    assert order.reference in client.get(reverse("orders_trips")).content.decode()


@pytest.mark.parametrize("when", ["wrong", "expired"])
def test_a_wrong_or_expired_code_orders_nothing_and_keeps_the_basket(
    client, post, outbox, in_basket, clock, when
):
    page = in_basket()
    send_code(post, page)
    code = code_in(outbox[0])
    if when == "wrong":
        code = f"{(int(code) + 1) % 10**6:06d}"
        message = "That code is not right. Check the text message and try again."
    else:
        clock.shift(301)
        message = "That code has expired or was already used. Ask for a new one."
    response = post("/en/checkout/", form_data(page, code=code))
    assert response.status_code == 422
    assert message in response.context["form"].errors["code"]
    assert message in response.content.decode()
    assert not Order.objects.exists() and not User.objects.exists()
    assert "_auth_user_id" not in client.session
    assert client.get("/en/checkout/").context["summary"].lines  # the basket is intact


def test_placing_the_order_without_a_code_asks_for_one(client, post, outbox, in_basket):
    page = in_basket()
    response = post("/en/checkout/", form_data(page))
    assert response.status_code == 422
    assert "Enter the code we texted you." in response.context["form"].errors["code"][0]
    assert not Order.objects.exists() and outbox == []


def test_a_bad_number_gets_a_clear_message_and_no_code(client, post, outbox, in_basket):
    page = in_basket()
    response = send_code(post, page, phone="+1 202 555 0100")
    assert response.status_code == 422
    assert response.context["form"].errors["phone"] == [
        "Only mainland China mobile numbers (+86) can receive codes here."
    ]
    assert outbox == []


def test_over_the_limit_the_page_answers_429_with_its_message(client, post, outbox, in_basket, clock):
    page = in_basket()
    assert send_code(post, page).status_code == 200
    response = send_code(post, page)
    assert response.status_code == 429
    assert "A code was sent to this number less than a minute ago. Please wait a minute." in (
        response.content.decode()
    )
    assert len(outbox) == 1
    # The first code still places the order.
    assert post("/en/checkout/", form_data(page, code=code_in(outbox[0]))).status_code == 302


def test_the_guest_checkout_speaks_chinese_on_the_chinese_pages(client, post, outbox, in_basket, clock):
    page = in_basket(language="zh-hans")
    html = page.content.decode()
    assert "发送验证码" in html and "短信验证码" in html
    sent = send_code(post, page, url="/checkout/")
    assert "验证码已发送至 +86 139 0000 0000，5 分钟内有效。" in sent.content.decode()
    again = send_code(post, page, url="/checkout/")
    assert again.status_code == 429 and "一分钟内已向此号码发送过验证码" in again.content.decode()
    code = outbox[0].params["code"]  # the Chinese text has no word break around the digits
    wrong = post("/checkout/", form_data(page, code=f"{(int(code) + 1) % 10**6:06d}"))
    assert wrong.status_code == 422 and "验证码不正确" in wrong.content.decode()
    placed = post("/checkout/", form_data(page, code=code))
    assert placed.status_code == 302 and Order.objects.get().language == "zh-hans"


def test_the_number_of_an_existing_account_books_into_that_account(client, post, outbox, in_basket):
    owner = UserFactory(phone_number=PHONE, phone=PHONE, phone_verified=True)
    page = in_basket()
    send_code(post, page)
    post("/en/checkout/", form_data(page, code=code_in(outbox[0])))
    assert Order.objects.get().user == owner and User.objects.count() == 1


def test_an_unproven_number_of_a_squatter_account_loses_its_password_and_the_guest_gets_it(
    client, post, outbox, in_basket
):
    # Someone signed up with this number and a password and never entered the code.
    squatter = UserFactory(phone_number=PHONE, phone_verified=False)
    page = in_basket()
    send_code(post, page)
    post("/en/checkout/", form_data(page, code=code_in(outbox[0])))
    squatter.refresh_from_db()
    assert Order.objects.get().user == squatter
    assert squatter.phone_verified and not squatter.check_password(DEFAULT_PASSWORD)


def test_lines_already_in_the_accounts_basket_stop_the_order_to_show_the_new_total(
    client, post, outbox, in_basket, stay_room, arrival
):
    from datetime import timedelta

    owner = UserFactory(phone_number=PHONE, phone=PHONE, phone_verified=True)
    basket_with_stay(owner, stay_room, arrival + timedelta(days=7), nights=1)
    page = in_basket()
    send_code(post, page)
    response = post("/en/checkout/", form_data(page, code=code_in(outbox[0])))
    # Logged in, the two baskets joined: the visitor sees (and confirms) the whole of it first.
    assert response.status_code == 409 and not Order.objects.exists()
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert len(response.context["summary"].lines) == 2
    assert "phone" not in response.context["form"].fields


def test_the_switched_off_account_of_a_number_is_not_logged_in_and_orders_nothing(
    client, post, outbox, in_basket
):
    UserFactory(phone_number=PHONE, phone=PHONE, phone_verified=True, is_active=False)
    page = in_basket()
    send_code(post, page)
    response = post("/en/checkout/", form_data(page, code=code_in(outbox[0])))
    assert response.status_code == 403
    assert "This account is switched off. Please contact the tourism office." in response.content.decode()
    assert not Order.objects.exists() and "_auth_user_id" not in client.session


def test_a_guest_keeps_the_invoice_details_over_send_code_and_gets_the_invoice_request(
    client, post, outbox, in_basket, clock
):
    page = in_basket()
    invoice = {
        "invoice-wanted": "on",
        "invoice-kind": "company",
        "invoice-title": "青溪镇第一中学",
        "invoice-tax_number": "91440300708461136T",
        "invoice-email": "school@example.com",
    }
    sent = send_code(post, page, **invoice)
    assert sent.status_code == 200
    assert "91440300708461136T" in sent.text and "<details open>" in sent.text
    placed = post("/en/checkout/", form_data(page, code=code_in(outbox[0]), **invoice))
    order = Order.objects.get()
    assert placed.status_code == 302
    assert (order.invoice_request.title, order.invoice_request.tax_number) == (
        "青溪镇第一中学",
        "91440300708461136T",
    )
