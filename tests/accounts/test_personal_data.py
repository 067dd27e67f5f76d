"""PIPL: a visitor downloads their own data and deletes their account (accounts.personal_data):
orders stay in the books without the person's details, the account is switched off for good and
its number and address are free again."""

import datetime
import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from orders.models import Order, OrderLine, WaitlistEntry
from reports import figures
from tests.factories.accounts import DEFAULT_PASSWORD, UserFactory, VerifiedUserFactory
from tests.factories.orders import OrderFactory, PaymentFactory
from tests.factories.products import ProductFactory
from tests.orders.checkout_fixtures import (  # noqa: F401  (fixtures)
    arrival,
    basket_with_stay,
    check_out,
    english,
    stay_homestay,
    stay_room,
)
from tests.products.farmer_fixtures import make_farmer, sold_line

from .phone_fixtures import code_in

# The sale, the bookings still to come and the report's year are placed around "today":
# pinned, and run again at CI's fixed moments (midnight, a year's end, 29 February).
pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def ten_in_the_morning(time_machine):
    """Today at 10:00 town time: a run near midnight cannot move the report's period between
    its "before" and "after" figures."""
    today = timezone.localdate()
    time_machine.move_to(
        datetime.datetime.combine(today, datetime.time(10), tzinfo=timezone.get_default_timezone())
    )


User = get_user_model()
EN = "/en/accounts"
DOWNLOAD = f"{EN}/profile/my-data.json"
DELETE = f"{EN}/profile/delete/"
PHONE = "+8613900000000"


def download(client):
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="tianyuan-my-data-')
    return json.loads(response.content)


@pytest.fixture
def past_sale():
    """A visitor's completed produce order, delivered, with a shipping address and a note."""
    farmer = make_farmer(display_name="王大姐")
    product = ProductFactory(producer=farmer)
    line = sold_line(product, status="completed", delivery="shipping", shipping_address="杭州市西湖区 1 号")
    OrderLine.objects.filter(pk=line.pk).update(note="请放门口")
    order = line.order
    order.contact_phone = "+86 139 0000 0000"
    order.save(update_fields=["contact_phone"])
    PaymentFactory(order=order, status="succeeded", amount_fen=order.total_fen)
    from products.models import LineFulfilment

    LineFulfilment.objects.create(order_line=line, status="shipped", tracking_number="SF1")
    return order


def shop_figures():
    cache.clear()
    today = timezone.localdate()
    period = figures.Period(today - timedelta(days=400), today + timedelta(days=1))
    return [(row.key, row.revenue_fen, row.orders, row.fulfilled) for row in figures.shop_rows(period)]


# --- download -------------------------------------------------------------------------------


def test_download_has_my_data_and_nobody_elses(client, past_sale):
    me = past_sale.user
    WaitlistEntry.objects.create(user=me, kind="tour", object_id=1, quantity=2, line_data={})
    other = OrderFactory(reference="TY-OTHER-1", contact_name="别人", contact_phone="+86 137 7777 7777")
    client.force_login(me)
    data = download(client)
    assert data["profile"]["email"] == me.email
    assert [o["reference"] for o in data["orders"]["orders"]] == [past_sale.reference]
    line = data["orders"]["orders"][0]["lines"][0]
    assert line["options"]["shipping_address"] == "杭州市西湖区 1 号" and line["note"] == "请放门口"
    assert data["orders"]["orders"][0]["payments"][0]["amount_fen"] == past_sale.total_fen
    assert data["orders"]["waiting_list"][0]["quantity"] == 2
    text = json.dumps(data, ensure_ascii=False)
    assert other.reference not in text and "别人" not in text and other.user.email not in text


def test_download_needs_a_log_in(client):
    response = client.get(DOWNLOAD)
    assert response.status_code == 302 and "/login/" in response.url


def test_the_account_page_links_download_and_delete(client):
    client.force_login(VerifiedUserFactory())
    page = client.get(f"{EN}/profile/").content.decode()
    assert DOWNLOAD in page and DELETE in page


# --- delete -----------------------------------------------------------------------------------


def test_deleting_blanks_the_person_keeps_the_books_and_logs_out(client, past_sale):
    me = past_sale.user
    before = shop_figures()
    assert any(row[1] for row in before)
    client.force_login(me)
    page = client.get(DELETE)
    assert page.status_code == 200 and "cannot be undone" in page.content.decode()
    response = client.post(DELETE, {"action": "delete", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response.url == "/en/"  # the language the visitor was reading in
    assert "_auth_user_id" not in client.session
    me.refresh_from_db()
    assert not me.is_active and not me.has_usable_password()
    assert (me.email, me.display_name, me.phone, me.phone_number) == (None, "", "", None)
    assert not me.emailaddress_set.exists() and not me.groups.exists()
    order = Order.objects.get(pk=past_sale.pk)
    assert (order.contact_name, order.contact_phone) == ("", "")
    assert order.total_fen == past_sale.total_fen and order.status == "completed"
    line = order.lines.get()
    assert line.note == "" and "shipping_address" not in line.options
    assert line.options["delivery"] == "shipping"
    assert shop_figures() == before


def test_a_deleted_account_cannot_log_in_again(client, past_sale):
    me = past_sale.user
    email = me.email
    client.force_login(me)
    client.post(DELETE, {"action": "delete", "password": DEFAULT_PASSWORD})
    response = client.post(f"{EN}/login/", {"login": email, "password": DEFAULT_PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_the_number_serves_a_new_account_after_deletion(client, post, outbox):
    me = UserFactory(email=None, phone_number=PHONE, phone=PHONE, phone_verified=True)
    me.set_unusable_password()
    me.save()
    client.force_login(me)
    post(DELETE, {"action": "send_code"})
    response = post(DELETE, {"action": "delete", "code": code_in(outbox[-1])})
    assert response.status_code == 302
    me.refresh_from_db()
    assert not me.is_active and me.phone_number is None
    cache.clear()  # the limits of one code a minute
    response = post(f"{EN}/signup/", {"phone": PHONE})
    assert response.status_code == 302
    fresh = User.objects.get(phone_number=PHONE)
    assert fresh.pk != me.pk and fresh.is_active


def test_a_wrong_password_deletes_nothing(client):
    me = VerifiedUserFactory()
    client.force_login(me)
    response = client.post(DELETE, {"action": "delete", "password": "not-it"})
    assert response.status_code == 422 and "not your password" in response.content.decode()
    me.refresh_from_db()
    assert me.is_active and me.email


def test_a_wrong_code_deletes_nothing(client, post, outbox):
    me = UserFactory(email=None, phone_number=PHONE, phone_verified=True)
    me.set_unusable_password()
    me.save()
    client.force_login(me)
    post(DELETE, {"action": "send_code"})
    right = code_in(outbox[-1])
    response = post(DELETE, {"action": "delete", "code": "000000" if right != "000000" else "111111"})
    assert response.status_code == 422
    me.refresh_from_db()
    assert me.is_active and me.phone_number == PHONE


def test_refused_while_a_booking_is_still_to_come(client, stay_room, arrival):  # noqa: F811
    me = VerifiedUserFactory()
    basket_with_stay(me, stay_room, arrival)
    order = check_out(me).order
    client.force_login(me)
    page = client.get(DELETE).content.decode()
    assert "cannot be deleted yet" in page and "Cancel them in My trips first" in page
    response = client.post(DELETE, {"action": "delete", "password": DEFAULT_PASSWORD})
    assert response.status_code == 409
    me.refresh_from_db()
    order.refresh_from_db()
    assert me.is_active and order.contact_name == "李华"


def test_a_farmer_is_sent_to_the_tourism_office():
    from accounts import personal_data

    farmer = make_farmer()
    with pytest.raises(personal_data.DeletionRefused) as refused:
        personal_data.delete_account(farmer.user)
    assert "sells in the town's shop" in str(refused.value)
    farmer.user.refresh_from_db()
    assert farmer.user.is_active


def test_deleting_needs_post_and_the_csrf_token(client):
    me = VerifiedUserFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(me)
    assert strict.post(DELETE, {"action": "delete", "password": DEFAULT_PASSWORD}).status_code == 403
    client.force_login(me)
    assert client.put(DELETE).status_code == 405
    assert client.get(DELETE, {"action": "delete", "password": DEFAULT_PASSWORD}).status_code == 200
    me.refresh_from_db()
    assert me.is_active


def test_signed_in_apps_and_wechat_links_are_in_the_download_and_go_with_the_account(client):
    """An app token, a WeChat web log-in link and a mini-program identity are the person's data:
    downloaded with the rest, and removed when the account is deleted (the WeChat account is then
    free to link to a new one)."""
    from allauth.socialaccount.models import SocialAccount

    from accounts import tokens
    from accounts.models import AppToken, WeChatIdentity

    me = VerifiedUserFactory()
    tokens.issue_token(me, name="小程序")
    SocialAccount.objects.create(user=me, provider="weixin", uid="o-web-1", extra_data={"nickname": "阿芳"})
    WeChatIdentity.objects.create(user=me, kind="miniprogram", openid="o-mini-1", unionid="u-1")
    client.force_login(me)
    data = download(client)["profile"]
    assert [device["name"] for device in data["signed_in_devices"]] == ["小程序"]
    assert data["wechat_accounts"] == [{"uid": "o-web-1", "profile": {"nickname": "阿芳"}}]
    assert data["wechat_mini_program"] == [{"openid": "o-mini-1", "unionid": "u-1"}]
    assert data["notices_by_sms"] is True

    response = client.post(DELETE, {"action": "delete", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert not AppToken.objects.filter(user=me).exists()
    assert not SocialAccount.objects.filter(user=me).exists()
    assert not WeChatIdentity.objects.filter(user=me).exists()
