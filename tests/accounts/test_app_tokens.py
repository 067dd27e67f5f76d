"""App tokens (``Authorization: Bearer``) for the JSON API: from the phone log-in with
``"token": true``; basket and checkout then work with the token alone, as with the session; a
token that is expired, revoked, of a deleted or switched-off account is a 401 with its reason;
the account page lists the user's tokens and revokes them."""

import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts import tokens
from accounts.models import AppToken
from orders.models import Order
from tests.factories.accounts import UserFactory, VerifiedUserFactory
from tests.orders.checkout_fixtures import stay_data

from .phone_fixtures import code_in

pytestmark = pytest.mark.django_db

PHONE = "+8613900000000"
User = get_user_model()


@pytest.fixture
def api(client, django_capture_on_commit_callbacks):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def posting(url, data, client=client, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data=json.dumps(data), content_type="application/json", **extra)

    return posting


@pytest.fixture
def app():
    """A client as a phone app is one: no cookies kept between calls, CSRF enforced."""
    return Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def phone_token(api, outbox, **extra):
    api("/api/v1/auth/phone/code", {"phone": PHONE})
    response = api(
        "/api/v1/auth/phone/verify", {"phone": PHONE, "code": code_in(outbox[-1]), "token": True, **extra}
    )
    assert response.status_code == 200, response.content
    return response.json()


def post_json(client, url, data, token):
    client.cookies.clear()
    return client.post(url, data=json.dumps(data), content_type="application/json", **bearer(token))


def get_json(client, url, token):
    client.cookies.clear()
    return client.get(url, **bearer(token))


def test_the_phone_log_in_answers_with_a_token_when_asked(api, outbox):
    body = phone_token(api, outbox, device="Li's phone")
    user = User.objects.get(phone_number=PHONE)
    assert body["id"] == user.pk and body["created"] is True
    assert body["token"].startswith("ty_") and len(body["token"]) > 40
    [stored] = AppToken.objects.filter(user=user)
    assert stored.name == "Li's phone"
    # Only a digest is kept: the raw token is nowhere in the row.
    assert body["token"] not in {stored.key_hash, stored.name}
    assert stored.expires_at - stored.created_at == timedelta(days=30)


def test_without_token_true_no_token_is_made(api, outbox):
    api("/api/v1/auth/phone/code", {"phone": PHONE})
    body = api("/api/v1/auth/phone/verify", {"phone": PHONE, "code": code_in(outbox[0])}).json()
    assert "token" not in body
    assert not AppToken.objects.exists()


def test_with_the_token_alone_basket_and_checkout_work(api, app, outbox, stay_room, arrival):
    token = phone_token(api, outbox)["token"]
    assert post_json(app, "/api/v1/basket/lines", stay_data(stay_room, arrival), token).status_code == 201
    assert len(get_json(app, "/api/v1/basket", token).json()["lines"]) == 1
    response = post_json(
        app,
        "/api/v1/checkout",
        {"payment_method": "on_site", "contact_name": "李华", "contact_phone": "13900000000"},
        token,
    )
    assert response.status_code == 201, response.content
    order = Order.objects.get(reference=response.json()["order_ref"])
    assert order.user.phone_number == PHONE and order.status == "confirmed"
    mine = get_json(app, "/api/v1/orders", token)
    assert [each["reference"] for each in mine.json()] == [order.reference]
    # A shared cache must not hand one app's answer to another (or to a visitor).
    assert "Authorization" in mine["Vary"]


def test_without_a_token_the_app_is_not_logged_in(app):
    response = app.post("/api/v1/checkout", data="{}", content_type="application/json")
    assert response.status_code in (401, 403)
    assert app.get("/api/v1/orders").status_code == 401


def test_a_session_without_its_csrf_token_is_still_refused(stay_room, arrival):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(VerifiedUserFactory())
    response = strict.post(
        "/api/v1/basket/lines",
        data=json.dumps(stay_data(stay_room, arrival)),
        content_type="application/json",
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("spoil", "code", "says"),
    [
        (lambda: AppToken.objects.update(revoked_at=timezone.now()), "token_revoked", "signed out"),
        (lambda: User.objects.all().delete(), "token_invalid", "not valid"),
        (lambda: User.objects.update(is_active=False), "account_inactive", "switched off"),
    ],
    ids=["revoked", "account-deleted", "account-switched-off"],
)
def test_a_token_that_no_longer_works_is_401_with_its_reason(app, spoil, code, says):
    token = tokens.issue_token(UserFactory(phone_number=PHONE, phone_verified=True))
    assert get_json(app, "/api/v1/orders", token).status_code == 200
    spoil()
    for response in (get_json(app, "/api/v1/orders", token), get_json(app, "/api/v1/basket", token)):
        assert response.status_code == 401
        assert response.json()["code"] == code and says in response.json()["detail"]
        assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_a_token_expires_after_api_token_days(app, time_machine, settings):
    settings.API_TOKEN_DAYS = 30
    time_machine.move_to("2026-06-01 09:00 +08:00", tick=False)
    token = tokens.issue_token(UserFactory())
    time_machine.shift(timedelta(days=29, hours=23))
    assert get_json(app, "/api/v1/orders", token).status_code == 200
    time_machine.shift(timedelta(hours=1))
    response = get_json(app, "/api/v1/orders", token)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "This token has expired. Please log in again.",
        "code": "token_expired",
    }


def test_a_made_up_token_is_401_even_with_a_logged_in_session(client):
    client.force_login(UserFactory())
    assert client.get("/api/v1/orders").status_code == 200
    response = client.get("/api/v1/orders", **bearer("ty_made-up"))
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"


def test_the_401_is_in_the_callers_language(app):
    response = app.get("/api/v1/orders", HTTP_ACCEPT_LANGUAGE="zh-hans", **bearer("nonsense"))
    assert response.status_code == 401
    assert response.json()["detail"] == "此令牌无效（或其账户已被删除）。请重新登录。"


def test_last_used_is_written_at_most_once_a_minute(app, time_machine):
    time_machine.move_to("2026-06-01 09:00 +08:00", tick=False)
    token = tokens.issue_token(UserFactory())
    get_json(app, "/api/v1/orders", token)
    first = AppToken.objects.get().last_used_at
    assert first == timezone.now()
    time_machine.shift(30)
    get_json(app, "/api/v1/orders", token)
    assert AppToken.objects.get().last_used_at == first
    time_machine.shift(31)
    get_json(app, "/api/v1/orders", token)
    assert AppToken.objects.get().last_used_at == timezone.now()


def test_the_schema_documents_the_bearer_scheme_and_the_token_option(client):
    schema = client.get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["AppToken"]["type"] == "http" and schemes["AppToken"]["scheme"] == "bearer"
    assert (
        "401" in schemes["AppToken"]["description"] and "token_expired" in schemes["AppToken"]["description"]
    )
    for path, method in [
        ("/api/v1/checkout", "post"),
        ("/api/v1/basket/lines", "post"),
        ("/api/v1/orders", "get"),
    ]:
        assert {"AppToken": []} in schema["paths"][path][method]["security"]
    verify_in = schema["components"]["schemas"]["PhoneCodeIn"]["properties"]
    assert verify_in["token"]["type"] == "boolean"


# The account page ------------------------------------------------------------------------------


def test_the_account_page_lists_the_users_live_tokens(client, time_machine):
    time_machine.move_to("2026-06-01 09:00 +08:00", tick=False)
    user = UserFactory()
    tokens.issue_token(user, name="Li's phone")
    tokens.issue_token(user, name="Old tablet")
    AppToken.objects.filter(name="Old tablet").update(revoked_at=timezone.now())
    tokens.issue_token(UserFactory(), name="Someone else's phone")
    client.force_login(user)
    page = client.get("/en/accounts/profile/").content.decode()
    assert "Signed-in devices" in page
    assert "Li&#x27;s phone" in page
    assert "Old tablet" not in page and "Someone else" not in page
    assert "1 July 2026" in page  # expires


def test_a_token_is_revoked_from_the_account_page(client, app):
    user = UserFactory()
    raw = tokens.issue_token(user, name="Li's phone")
    token = AppToken.objects.get()
    client.force_login(user)
    response = client.post(f"/en/accounts/devices/{token.pk}/sign-out/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert get_json(app, "/api/v1/orders", raw).json()["code"] == "token_revoked"
    assert "Li&#x27;s phone" not in client.get("/en/accounts/profile/").content.decode()


def test_another_users_token_cannot_be_revoked(client):
    token_of_other = tokens.issue_token(UserFactory())
    client.force_login(UserFactory())
    token = AppToken.objects.get()
    assert client.post(f"/en/accounts/devices/{token.pk}/sign-out/").status_code == 404
    assert client.get(f"/en/accounts/devices/{token.pk}/sign-out/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None and token_of_other


def test_revoking_needs_the_csrf_token():
    user = UserFactory()
    tokens.issue_token(user)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(f"/en/accounts/devices/{AppToken.objects.get().pk}/sign-out/").status_code == 403
    assert AppToken.objects.get().revoked_at is None


def test_the_purge_command_deletes_dead_tokens_only(time_machine):
    time_machine.move_to("2026-06-01 09:00 +08:00", tick=False)
    user = UserFactory()
    for name in ("expired", "revoked", "live"):
        tokens.issue_token(user, name=name)
    AppToken.objects.filter(name="expired").update(expires_at=timezone.now() - timedelta(days=2))
    AppToken.objects.filter(name="revoked").update(revoked_at=timezone.now() - timedelta(days=2))
    out = io.StringIO()
    call_command("accounts_purge_tokens", stdout=out)
    assert out.getvalue().startswith("2 ")
    assert list(AppToken.objects.values_list("name", flat=True)) == ["live"]


# --- an app's account adds a mobile number (the mini-program's accounts have none) -------------


@pytest.fixture
def mini_program_account():
    """What the mini-program's log-in makes: no number, no address, no password; and its token."""
    user = User(language="zh-hans")
    user.set_unusable_password()
    user.save()
    return user, tokens.issue_token(user, name="小程序")


def add_number(app, token, outbox, on_commit, phone=PHONE, code=None):
    with on_commit(execute=True):  # the text goes out once the request's transaction commits
        assert post_json(app, "/api/v1/auth/phone/code", {"phone": phone}, token).status_code == 202
    proof = {"phone": phone, "code": code or code_in(outbox[-1])}
    return post_json(app, "/api/v1/auth/phone/add", proof, token)


def test_an_app_account_adds_its_number_with_a_code_and_can_then_book(
    app, outbox, mini_program_account, stay_room, arrival, django_capture_on_commit_callbacks
):
    user, token = mini_program_account
    checkout = {"payment_method": "on_site", "contact_name": "李华", "contact_phone": "13900000000"}
    assert post_json(app, "/api/v1/basket/lines", stay_data(stay_room, arrival), token).status_code == 201
    refused = post_json(app, "/api/v1/checkout", checkout, token)
    assert refused.status_code == 403, refused.content  # nothing proven yet
    response = add_number(app, token, outbox, django_capture_on_commit_callbacks)
    assert response.status_code == 200, response.content
    assert response.json() == {"id": user.pk, "phone": PHONE}
    user.refresh_from_db()
    assert (user.phone_number, user.phone_verified) == (PHONE, True)
    with django_capture_on_commit_callbacks(execute=True):
        booked = post_json(app, "/api/v1/checkout", checkout, token)
    assert booked.status_code == 201, booked.content
    assert Order.objects.get(reference=booked.json()["order_ref"]).user == user


def test_a_wrong_code_adds_no_number(app, outbox, mini_program_account, django_capture_on_commit_callbacks):
    user, token = mini_program_account
    response = add_number(app, token, outbox, django_capture_on_commit_callbacks, code="000000")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "code"]
    user.refresh_from_db()
    assert user.phone_number is None and not user.phone_verified


def test_a_number_verified_on_another_account_stays_there(
    app, outbox, mini_program_account, django_capture_on_commit_callbacks
):
    owner = UserFactory(phone_number=PHONE, phone_verified=True)
    user, token = mini_program_account
    response = add_number(app, token, outbox, django_capture_on_commit_callbacks)
    assert response.status_code == 409 and response.json()["code"] == "phone_taken"
    owner.refresh_from_db()
    user.refresh_from_db()
    assert (owner.phone_number, owner.phone_verified) == (PHONE, True)
    assert user.phone_number is None


def test_adding_a_number_needs_an_account(app):
    proof = json.dumps({"phone": PHONE, "code": "123456"})
    response = app.post("/api/v1/auth/phone/add", data=proof, content_type="application/json")
    assert response.status_code in (401, 403)  # no token, no session (or no CSRF token)
    assert not User.objects.filter(phone_number=PHONE).exists()


def test_a_new_password_signs_the_apps_out(client, app):
    """As Django signs out a user's other sessions when the password changes, so the apps: a
    stolen token must not outlive the password the visitor changed to get rid of the thief."""
    user = UserFactory(email="li@example.com")
    user.set_password("old-password-1")
    user.save()
    raw = tokens.issue_token(user, name="phone")
    other = tokens.issue_token(UserFactory(), name="someone else's phone")
    client.force_login(user)
    response = client.post(
        "/en/accounts/password/change/",
        {"oldpassword": "old-password-1", "password1": "Ne3w-pass-phrase", "password2": "Ne3w-pass-phrase"},
    )
    assert response.status_code == 302, response.content
    answer = get_json(app, "/api/v1/orders", raw)
    assert answer.status_code == 401 and answer.json()["code"] == "token_revoked"
    assert "new password" in answer.json()["detail"]
    assert get_json(app, "/api/v1/orders", other).status_code == 200


def test_a_password_set_by_staff_signs_the_apps_out_too(app):
    user = UserFactory()
    raw = tokens.issue_token(user)
    user.set_password("set-by-the-office-9")
    user.save()
    assert get_json(app, "/api/v1/orders", raw).json()["code"] == "token_revoked"


def test_other_saves_and_a_hash_upgraded_at_log_in_keep_the_apps(app, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = UserFactory()
    user.set_password("same-password-7")
    user.save()
    raw = tokens.issue_token(user)
    user.display_name = "Li"
    user.save()
    # A stronger hasher first: the next log-in re-hashes the same password and saves it.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    old_hash = user.password
    assert user.check_password("same-password-7")
    user.refresh_from_db()
    assert user.password != old_hash and user.password.startswith("pbkdf2_")
    assert get_json(app, "/api/v1/orders", raw).status_code == 200
