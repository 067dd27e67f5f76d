import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from accounts.services import UnverifiedEmail, require_verified_email
from tests.factories.accounts import UserFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

PROFILE = "/en/accounts/profile/"


def test_profile_requires_login(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response.url.startswith("/en/accounts/login/")


def test_profile_shows_email_and_offers_to_resend_verification(client):
    client.force_login(UserFactory(email="new@example.com"))
    html = client.get(PROFILE).content.decode()
    assert "new@example.com" in html
    assert "Not verified" in html
    assert 'name="action_send"' in html


def test_resend_button_sends_a_new_verification_email(client, mailoutbox):
    # Users made by staff in the admin have no allauth address record yet; resending still works.
    client.force_login(UserFactory(email="made.by.staff@example.com"))
    response = client.post("/en/accounts/email/", {"email": "made.by.staff@example.com", "action_send": ""})
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["made.by.staff@example.com"]]
    assert "/confirm-email/" in mailoutbox[0].body


def test_profile_shows_a_verified_address_as_verified(client):
    client.force_login(VerifiedUserFactory())
    html = client.get(PROFILE).content.decode()
    assert "Not verified" not in html
    assert "action_send" not in html


def test_profile_saves_display_name_and_normalised_phone(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(PROFILE, {"display_name": "小明", "phone": "+86 138-0013-8000"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.phone) == ("小明", "+8613800138000")


def test_profile_rejects_a_phone_that_is_not_a_number(client):
    user = UserFactory(phone="")
    client.force_login(user)
    response = client.post(PROFILE, {"display_name": "小明", "phone": "call me"})
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    user.refresh_from_db()
    assert user.phone == ""


def test_profile_is_chinese_by_default(client):
    client.force_login(UserFactory())
    response = client.get("/accounts/profile/")
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in response.content.decode()


def test_require_verified_email_refuses_an_unverified_user():
    with pytest.raises(UnverifiedEmail) as excinfo:
        require_verified_email(UserFactory())
    assert isinstance(excinfo.value, PermissionDenied)
    assert "验证您的电子邮箱" in str(excinfo.value.message)
    with translation.override("en"):
        assert "confirm your e-mail" in str(excinfo.value.message)


def test_require_verified_email_accepts_a_verified_user():
    require_verified_email(VerifiedUserFactory())


@pytest.mark.urls("tests.accounts.guarded_urls")
def test_verified_email_required_sends_login_to_anonymous_visitors(client):
    response = client.get("/checkout/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.urls("tests.accounts.guarded_urls")
def test_verified_email_required_sends_unverified_users_a_new_link(client, mailoutbox):
    client.force_login(UserFactory(email="unverified@example.com"))
    response = client.get("/checkout/")
    assert b"booked" not in response.content
    assert [m.to for m in mailoutbox] == [["unverified@example.com"]]


@pytest.mark.urls("tests.accounts.guarded_urls")
def test_verified_email_required_lets_verified_users_through(client):
    client.force_login(VerifiedUserFactory())
    assert client.get("/checkout/").content == b"booked"
