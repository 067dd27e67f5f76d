"""Signing up and logging in with a mainland mobile number and an SMS code, through allauth's
own views and forms (phone support of allauth 65), in both languages."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.roles import VISITORS
from accounts.services import UnverifiedEmail, require_verified_email
from tests.factories.accounts import DEFAULT_PASSWORD, UserFactory

from .phone_fixtures import code_in

pytestmark = pytest.mark.django_db

EN = "/en/accounts"
PHONE = "+8613900000000"
User = get_user_model()


def sign_up(post, prefix=EN, **data):
    return post(f"{prefix}/signup/", data)


def test_sign_up_with_only_a_mobile_number_texts_a_six_digit_code(client, post, outbox):
    response = sign_up(post, phone="139 0000 0000")
    assert response.status_code == 302
    assert response.url == reverse("account_verify_phone")
    assert len(outbox) == 1 and outbox[0].phone == PHONE
    assert len(code_in(outbox[0])) == 6
    user = User.objects.get(phone_number=PHONE)
    assert user.email is None and not user.phone_verified and not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [VISITORS]
    assert "_auth_user_id" not in client.session


def test_the_code_verifies_the_number_and_logs_in(client, post, outbox):
    sign_up(post, phone="13900000000")
    response = post(f"{EN}/phone/verify/", {"code": code_in(outbox[0])})
    assert response.status_code == 302
    user = User.objects.get(phone_number=PHONE)
    assert user.phone_verified and user.phone == PHONE
    assert client.session["_auth_user_id"] == str(user.pk)
    require_verified_email(user)  # a verified number is enough to book


def test_a_wrong_code_is_refused_and_three_wrong_ones_end_the_attempt(client, post, outbox):
    sign_up(post, phone=PHONE)
    right = code_in(outbox[0])
    wrong = "000000" if right != "000000" else "111111"
    page = post(f"{EN}/phone/verify/", {"code": wrong})
    assert page.status_code == 200 and "Incorrect code" in page.content.decode()
    post(f"{EN}/phone/verify/", {"code": wrong})
    post(f"{EN}/phone/verify/", {"code": wrong})
    response = post(f"{EN}/phone/verify/", {"code": right})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302  # the attempt is over: back to the start
    assert not User.objects.get(phone_number=PHONE).phone_verified


def test_an_expired_code_is_refused(client, post, outbox, time_machine):
    time_machine.move_to("2026-06-01 10:00 +08:00", tick=False)
    sign_up(post, phone=PHONE)
    time_machine.move_to("2026-06-01 10:05:01 +08:00", tick=False)
    post(f"{EN}/phone/verify/", {"code": code_in(outbox[0])})
    assert "_auth_user_id" not in client.session
    assert not User.objects.get(phone_number=PHONE).phone_verified


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("12345", "not a mainland China mobile number"),
        ("010 6552 9988", "not a mainland China mobile number"),  # a Beijing landline
        ("hello", "Enter a mobile number like 139 0000 0000"),
        ("+1 212 555 0123", "Only mainland China mobile numbers"),
    ],
)
def test_bad_numbers_get_a_clear_message_and_no_account(client, post, outbox, number, message):
    response = sign_up(post, phone=number)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == 0 and outbox == []


def test_foreign_numbers_only_where_the_setting_allows(client, post, outbox, settings):
    settings.PHONE_FOREIGN_NUMBERS_ALLOWED = True
    response = sign_up(post, phone="+44 7911 123456")
    assert response.status_code == 302
    assert outbox[0].phone == "+447911123456"


def test_neither_number_nor_address_is_refused(client, post, outbox):
    response = sign_up(post, password1="Dao-Hua-Xiang-2026", password2="Dao-Hua-Xiang-2026")
    assert response.status_code == 200
    assert "Enter a mobile number or an e-mail address" in response.content.decode()
    assert User.objects.count() == 0


def test_an_email_only_sign_up_still_needs_a_password(client, post, outbox, mailoutbox):
    response = sign_up(post, email="li.lei@example.com")
    assert response.status_code == 200
    assert "Choose a password" in response.content.decode()
    assert User.objects.count() == 0


def test_the_chinese_sign_up_page_asks_for_the_number_first(client):
    page = client.get("/accounts/signup/").content.decode()
    assert "手机号码" in page
    assert page.index('name="phone"') < page.index('name="email"')


def test_log_in_page_offers_the_mobile_number_first_in_both_languages(client):
    english = client.get(f"{EN}/login/").content.decode()
    assert "With your mobile number" in english
    assert english.index('name="phone"') < english.index('name="login"')
    chinese = client.get("/accounts/login/").content.decode()
    assert chinese.index('name="phone"') < chinese.index('name="login"')
    assert "验证码" in chinese


@pytest.fixture
def phone_visitor(db):
    user = UserFactory(email=None, phone_number=PHONE, phone_verified=True)
    user.set_unusable_password()
    user.save()
    return user


def test_log_in_by_code_for_a_known_number(client, post, outbox, phone_visitor):
    response = post(f"{EN}/login/code/", {"phone": "139-0000-0000"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_confirm_login_code"))
    response = post(f"{EN}/login/code/confirm/", {"code": code_in(outbox[0])})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(phone_visitor.pk)


def test_a_used_code_cannot_log_in_again(client, post, outbox, phone_visitor):
    post(f"{EN}/login/code/", {"phone": PHONE})
    code = code_in(outbox[0])
    post(f"{EN}/login/code/confirm/", {"code": code})
    client.logout()
    response = post(f"{EN}/login/code/confirm/", {"code": code})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302 and "confirm" not in response.url


def test_an_unknown_number_is_answered_as_a_known_one_and_told_to_sign_up(post, outbox):
    response = post(f"{EN}/login/code/", {"phone": "13800138000"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_confirm_login_code"))
    assert [m.phone for m in outbox] == ["+8613800138000"]
    assert "Sign up" in outbox[0].text and not User.objects.exists()


def test_log_in_with_the_number_and_a_password(client, post, outbox):
    user = UserFactory(email=None, phone_number=PHONE, phone_verified=True)
    response = post(f"{EN}/login/", {"login": "139 0000 0000", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_unverified_email_account_still_may_not_book(db):
    user = UserFactory()
    with pytest.raises(UnverifiedEmail):
        require_verified_email(user)
    assert not user.has_verified_contact


def test_a_verified_number_passes_the_checkout_guard_an_unverified_address_does_not(client, phone_visitor):
    guard = "account/verified_email_required.html"
    client.force_login(UserFactory())
    assert guard in [t.name for t in client.get("/en/checkout/").templates]
    client.force_login(phone_visitor)
    assert guard not in [t.name for t in client.get("/en/checkout/").templates]


def test_the_account_page_of_a_phone_only_visitor_shows_the_number_and_offers_an_address(
    client, phone_visitor
):
    client.force_login(phone_visitor)
    page = client.get(f"{EN}/profile/").content.decode()
    assert PHONE in page and "Verified" in page
    assert "Add an e-mail address" in page and "None" not in page
    chinese = client.get("/accounts/profile/").content.decode()
    assert "登录手机号" in chinese and "添加电子邮箱" in chinese
