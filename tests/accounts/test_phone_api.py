"""The JSON API's phone log-in (/api/v1/auth/phone/...): a code by SMS, then the session is
logged in (an account created for a new number) and basket and checkout work as for an e-mail
account. Bad input is a clear 4xx and creates nothing."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from orders.models import Order
from tests.factories.accounts import UserFactory
from tests.orders.checkout_fixtures import stay_data
from town.page_cache import STATUS_HEADER

from .phone_fixtures import code_in

pytestmark = pytest.mark.django_db

PHONE = "+8613900000000"
User = get_user_model()


@pytest.fixture
def api(client, django_capture_on_commit_callbacks):
    """JSON posts in English; what a request leaves for after its commit (the SMS) then runs."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def posting(url, data, client=client):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data=json.dumps(data), content_type="application/json")

    return posting


def ask(api, phone=PHONE):
    return api("/api/v1/auth/phone/code", {"phone": phone})


def verify(api, code, phone=PHONE):
    return api("/api/v1/auth/phone/verify", {"phone": phone, "code": code})


def test_a_code_is_texted_and_answered_with_202(api, outbox):
    response = ask(api, "139 0000 0000")
    assert response.status_code == 202
    assert response.json() == {"phone": PHONE, "expires_in": 300}
    assert [m.phone for m in outbox] == [PHONE]
    assert "Your Tianyuan code is" in outbox[0].text
    assert outbox[0].params == {"code": code_in(outbox[0]), "minutes": "5"}


def test_the_code_logs_in_and_creates_the_account_of_a_new_number(api, client, outbox):
    ask(api)
    response = verify(api, code_in(outbox[0]))
    assert response.status_code == 200
    body = response.json()
    user = User.objects.get(phone_number=PHONE)
    assert body == {"id": user.pk, "phone": PHONE, "email": None, "created": True}
    assert user.phone_verified and not user.has_usable_password() and user.email is None
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_known_number_logs_into_its_account(api, client, outbox):
    user = UserFactory(email="li.lei@example.com", phone_number=PHONE, phone_verified=False)
    ask(api)
    response = verify(api, code_in(outbox[0]))
    assert response.json()["created"] is False
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.phone_verified
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("phone", "kind"),
    [
        ("12345", "not_mobile"),
        ("010 6552 9988", "not_mobile"),
        ("not a number", "invalid_phone"),
        ("+44 7911 123456", "foreign_phone"),
        ("", "invalid_phone"),
    ],
)
def test_bad_numbers_are_422_with_the_field(api, outbox, phone, kind):
    for url in ("/api/v1/auth/phone/code", "/api/v1/auth/phone/verify"):
        response = api(url, {"phone": phone, "code": "123456"})
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["loc"] == ["body", "phone"] and error["type"] == kind and error["msg"]
    assert outbox == [] and not User.objects.exists()


def test_a_number_longer_than_a_phone_number_is_422(api, outbox):
    assert ask(api, "1" * 500).status_code == 422
    assert outbox == []


def test_a_wrong_code_is_422_and_creates_nothing(api, client, outbox):
    ask(api)
    wrong = "000000" if code_in(outbox[0]) != "000000" else "111111"
    response = verify(api, wrong)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "code"] and error["type"] == "code_wrong"
    assert "not right" in error["msg"]
    assert not User.objects.exists() and "_auth_user_id" not in client.session


def test_three_wrong_codes_use_the_code_up(api, outbox):
    ask(api)
    right = code_in(outbox[0])
    wrong = "000000" if right != "000000" else "111111"
    kinds = [verify(api, wrong).json()["detail"][0]["type"] for _ in range(3)]
    assert kinds == ["code_wrong", "code_wrong", "too_many_attempts"]
    response = verify(api, right)
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "code_expired"
    assert not User.objects.exists()


def test_an_expired_code_is_422(api, outbox, time_machine):
    time_machine.move_to("2026-06-01 09:00 +08:00", tick=False)
    ask(api)
    time_machine.shift(301)
    response = verify(api, code_in(outbox[0]))
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "code_expired"
    assert not User.objects.exists()


def test_a_used_code_cannot_be_replayed(api, outbox):
    ask(api)
    code = code_in(outbox[0])
    assert verify(api, code).status_code == 200
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = api("/api/v1/auth/phone/verify", {"phone": PHONE, "code": code}, client=other)
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "code_expired"
    assert "_auth_user_id" not in other.session


def test_a_new_code_replaces_the_one_before(api, outbox, time_machine):
    time_machine.move_to("2026-06-01 09:00 +08:00", tick=False)
    ask(api)
    time_machine.shift(61)
    ask(api)
    first, second = (code_in(m) for m in outbox)
    if first != second:
        assert verify(api, first).status_code == 422
    assert verify(api, second).status_code == 200


def test_over_a_limit_is_429_with_its_message(api, outbox):
    assert ask(api).status_code == 202
    response = ask(api)
    assert response.status_code == 429
    assert response.json() == {
        "detail": "A code was sent to this number less than a minute ago. Please wait a minute.",
        "code": "too_many_codes",
    }
    assert len(outbox) == 1


def test_known_and_unknown_numbers_get_the_same_answer(api, outbox):
    UserFactory(email=None, phone_number="+8613900000001", phone_verified=True)
    known, unknown = ask(api, "+8613900000001"), ask(api, "+8613900000002")
    assert (known.status_code, unknown.status_code) == (202, 202)
    assert known.json()["expires_in"] == unknown.json()["expires_in"]
    assert len(outbox) == 2


def test_the_code_text_is_in_the_callers_language(client, outbox, django_capture_on_commit_callbacks):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/api/v1/auth/phone/code", data=json.dumps({"phone": PHONE}), content_type="application/json"
        )
    assert "您的田园验证码是" in outbox[0].text


def test_csrf_is_checked(outbox):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/api/v1/auth/phone/code", data=json.dumps({"phone": PHONE}), content_type="application/json"
    )
    assert response.status_code == 403
    assert outbox == []


def test_a_switched_off_account_is_not_logged_in(api, client, outbox):
    UserFactory(email=None, phone_number=PHONE, phone_verified=True, is_active=False)
    ask(api)
    response = verify(api, code_in(outbox[0]))
    assert response.status_code == 403 and response.json()["code"] == "inactive"
    assert "_auth_user_id" not in client.session


def test_after_the_phone_log_in_basket_and_checkout_work(api, client, outbox, stay_room, arrival):
    ask(api)
    verify(api, code_in(outbox[0]))
    assert api("/api/v1/basket/lines", stay_data(stay_room, arrival)).status_code == 201
    response = api(
        "/api/v1/checkout",
        {"payment_method": "on_site", "contact_name": "李华", "contact_phone": "13900000000"},
    )
    assert response.status_code == 201, response.content
    order = Order.objects.get(reference=response.json()["order_ref"])
    assert order.user.phone_number == PHONE and order.status == "confirmed"
    assert [mine["reference"] for mine in client.get("/api/v1/orders").json()] == [order.reference]


def test_the_basket_of_the_anonymous_session_joins_the_account(api, client, outbox, stay_room, arrival):
    assert api("/api/v1/basket/lines", stay_data(stay_room, arrival)).status_code == 201
    ask(api)
    verify(api, code_in(outbox[0]))
    assert len(client.get("/api/v1/basket").json()["lines"]) == 1


def test_the_openapi_schema_documents_the_endpoints_and_their_errors(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    # A code may be asked for with an app's token too (401: a token that does not work).
    assert set(paths["/api/v1/auth/phone/code"]["post"]["responses"]) == {"202", "401", "422", "429"}
    assert set(paths["/api/v1/auth/phone/verify"]["post"]["responses"]) == {"200", "403", "422"}
    assert set(paths["/api/v1/auth/phone/add"]["post"]["responses"]) == {"200", "401", "409", "422"}


def test_a_phone_logged_in_visitor_is_not_served_the_anonymous_page_cache(
    api, client, outbox, settings, home_page
):
    settings.PAGE_CACHE_ENABLED = True
    Client().get("/en/")  # the first view makes what it needs once (footer settings), see
    Client().get("/en/")  # tests/town/test_page_cache.py: the page is stored from the next one
    assert Client().get("/en/").headers.get(STATUS_HEADER) == "hit"
    ask(api)
    verify(api, code_in(outbox[0]))
    assert client.get("/en/").headers.get(STATUS_HEADER) != "hit"


def test_a_password_set_before_the_number_was_proven_stops_working(api, client, outbox):
    # Someone signed up with another person's number and a password, and never got the code.
    squatter = UserFactory(email=None, phone_number=PHONE, phone_verified=False)
    ask(api)
    assert verify(api, code_in(outbox[0])).json()["created"] is False
    squatter.refresh_from_db()
    assert squatter.phone_verified and not squatter.has_usable_password()


def test_a_verified_e_mail_account_loses_its_unproven_number_to_a_fresh_account(api, client, outbox):
    # Someone signed up with their own address, verified it, and typed another person's number
    # (or mistyped their own); the number's holder proves it by code.
    from tests.factories.accounts import VerifiedUserFactory
    from tests.factories.orders import OrderFactory

    other = VerifiedUserFactory(phone_number=PHONE, phone=PHONE, phone_verified=False)
    booking = OrderFactory(user=other, status="confirmed")
    ask(api)
    body = verify(api, code_in(outbox[0])).json()
    owner = User.objects.get(phone_number=PHONE)
    assert body == {"id": owner.pk, "phone": PHONE, "email": None, "created": True}
    assert owner.pk != other.pk and client.session["_auth_user_id"] == str(owner.pk)
    assert owner.phone_verified and not owner.has_usable_password()
    assert client.get("/api/v1/orders").json() == []
    assert client.get(f"/api/v1/orders/{booking.reference}").status_code == 404
    other.refresh_from_db()
    assert other.phone_number is None and other.phone == "" and not other.phone_verified
    assert other.has_verified_email and other.has_usable_password()
    assert Order.objects.get(pk=booking.pk).user == other


def test_an_unproven_address_set_before_the_number_was_proven_is_removed(api, client, outbox):
    from allauth.account.models import EmailAddress

    squatter = UserFactory(email="stranger@example.com", phone_number=PHONE, phone_verified=False)
    EmailAddress.objects.create(user=squatter, email=squatter.email, verified=False, primary=True)
    ask(api)
    verify(api, code_in(outbox[0]))
    squatter.refresh_from_db()
    assert squatter.phone_verified and not squatter.has_usable_password()
    assert squatter.email is None and not EmailAddress.objects.filter(user=squatter).exists()
    assert client.session["_auth_user_id"] == str(squatter.pk)


def test_a_guest_checks_out_by_the_api_and_finds_the_order_after_a_later_phone_log_in(
    api, client, outbox, stay_room, arrival, time_machine
):
    # Issue 15 item 2 through the API: basket as an anonymous session, code, verify, checkout.
    time_machine.move_to("2026-06-01 09:00 +08:00", tick=False)
    assert api("/api/v1/basket/lines", stay_data(stay_room, arrival)).status_code == 201
    assert ask(api).status_code == 202
    assert verify(api, code_in(outbox[0])).json()["created"] is True
    response = api(
        "/api/v1/checkout",
        {"payment_method": "on_site", "contact_name": "李华", "contact_phone": "13900000000"},
    )
    assert response.status_code == 201, response.content
    reference = response.json()["order_ref"]
    assert Order.objects.get(reference=reference).user.phone_number == PHONE

    later = Client(HTTP_ACCEPT_LANGUAGE="en")  # another device, days later
    time_machine.shift(61)  # one code a minute per number
    assert api("/api/v1/auth/phone/code", {"phone": PHONE}, client=later).status_code == 202
    assert outbox[1].template == "order_confirmed"  # the guest's confirmation, by SMS
    body = api("/api/v1/auth/phone/verify", {"phone": PHONE, "code": code_in(outbox[2])}, client=later).json()
    assert body["created"] is False
    assert [mine["reference"] for mine in later.get("/api/v1/orders").json()] == [reference]
