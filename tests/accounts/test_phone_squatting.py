"""Issue 15: someone signs up on the web with another person's mobile number and a password and
never enters the code. When the number's owner later logs in by code, the password chosen by the
stranger must not open the account; the person who signs up and enters their own code keeps
theirs. Through allauth's own pages, the code read from the memory SMS backend."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

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
