"""Issue 15: someone signs up on the web with another person's mobile number and a password and
never enters the code. When the number's owner later logs in by code, the password chosen by the
stranger must not open the account; the person who signs up and enters their own code keeps
theirs. A stranger who also verified their own e-mail address keeps their account, without the
number, and the owner gets one of their own. Through allauth's own pages, the code read from the
memory SMS backend, the confirmation link from the memory mail backend."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from orders.models import Order
from tests.factories.orders import OrderFactory

from .phone_fixtures import code_in

pytestmark = pytest.mark.django_db

EN = "/en/accounts"
PHONE = "+8613900000000"
PASSWORD = "Dao-Hua-Xiang-2026"
User = get_user_model()


def sign_up_with_password(post, **extra):
    response = post(f"{EN}/signup/", {"phone": PHONE, "password1": PASSWORD, "password2": PASSWORD, **extra})
    assert response.status_code == 302
    return User.objects.get(phone_number=PHONE)


def code_in_mail(mail):
    return re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.body, re.M).group(1)


def a_minute_later(time_machine):
    """A number gets one code a minute (accounts.phone_codes)."""
    time_machine.shift(61)


def log_in_with_password(client, post):
    client.logout()
    post(f"{EN}/login/", {"login": PHONE, "password": PASSWORD})
    return client.session.get("_auth_user_id")


def test_a_strangers_password_stops_working_when_the_owner_logs_in_by_code(
    client, post, outbox, time_machine
):
    time_machine.move_to("2026-06-01 10:00 +08:00", tick=False)
    squatter = sign_up_with_password(post, email="stranger@example.com")
    assert squatter.has_usable_password() and not squatter.phone_verified
    client.logout()  # the stranger never enters the code; the owner comes later, elsewhere
    a_minute_later(time_machine)

    post(f"{EN}/login/code/", {"phone": PHONE})
    assert [m.phone for m in outbox] == [PHONE, PHONE]
    response = post(f"{EN}/login/code/confirm/", {"code": code_in(outbox[-1])})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(squatter.pk)  # the owner is in
    account = User.objects.get(pk=squatter.pk)
    assert account.phone_verified and not account.has_usable_password()
    # The stranger's unproven address is gone with the password: no reset link reaches them.
    assert account.email is None
    assert not EmailAddress.objects.filter(user=account).exists()

    assert log_in_with_password(client, post) is None


def test_a_stranger_with_a_verified_address_keeps_it_and_the_owner_gets_an_account_of_their_own(
    client, post, outbox, mailoutbox, time_machine
):
    time_machine.move_to("2026-06-01 10:00 +08:00", tick=False)
    stranger = sign_up_with_password(post, email="stranger@example.com")
    client.logout()
    # Never entering the number's code, the stranger proves their address by a code mailed to it.
    post(f"{EN}/login/code/", {"email": "stranger@example.com"})
    post(f"{EN}/login/code/confirm/", {"code": code_in_mail(mailoutbox[-1])})
    stranger.refresh_from_db()
    assert EmailAddress.objects.get(user=stranger).verified and not stranger.phone_verified
    booking = OrderFactory(user=stranger, status="confirmed")
    client.logout()  # the number's owner comes later, elsewhere, and logs in by code
    a_minute_later(time_machine)

    post(f"{EN}/login/code/", {"phone": PHONE})
    response = post(f"{EN}/login/code/confirm/", {"code": code_in(outbox[-1])})
    assert response.status_code == 302
    owner = User.objects.get(phone_number=PHONE)
    assert owner.pk != stranger.pk and client.session["_auth_user_id"] == str(owner.pk)
    assert owner.phone_verified and not owner.has_usable_password() and owner.email is None
    assert not Order.objects.filter(user=owner).exists()
    trips = client.get(reverse("orders_trips"))
    assert trips.status_code == 200 and booking.reference not in trips.content.decode()
    assert client.get(reverse("orders_order_detail", args=[booking.reference])).status_code == 404

    # The stranger keeps their address, password and booking, without the number.
    stranger.refresh_from_db()
    assert stranger.phone_number is None and not stranger.phone_verified and stranger.phone == ""
    assert stranger.email == "stranger@example.com" and stranger.has_usable_password()
    assert log_in_with_password(client, post) is None  # the number opens no account by password
    post(f"{EN}/login/", {"login": "stranger@example.com", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(stranger.pk)
    assert booking.reference in client.get(reverse("orders_trips")).content.decode()


def test_signing_up_and_entering_ones_own_code_keeps_the_password(client, post, outbox):
    user = sign_up_with_password(post)
    response = post(f"{EN}/phone/verify/", {"code": code_in(outbox[0])})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.phone_verified and user.has_usable_password()

    assert log_in_with_password(client, post) == str(user.pk)


def test_a_verified_number_logging_in_by_code_keeps_its_password(client, post, outbox, time_machine):
    time_machine.move_to("2026-06-01 10:00 +08:00", tick=False)
    user = sign_up_with_password(post)
    post(f"{EN}/phone/verify/", {"code": code_in(outbox[0])})
    client.logout()
    a_minute_later(time_machine)
    post(f"{EN}/login/code/", {"phone": PHONE})
    post(f"{EN}/login/code/confirm/", {"code": code_in(outbox[-1])})
    assert client.session["_auth_user_id"] == str(user.pk)

    assert log_in_with_password(client, post) == str(user.pk)
