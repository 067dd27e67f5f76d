"""The language we write to a person in (User.language): the one they sign up and log in in, or
choose on their account page; blank means the town's default."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from tests.factories.accounts import DEFAULT_PASSWORD, UserFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Dao-Hua-Xiang-2026"


@pytest.mark.parametrize(("prefix", "language"), [("/en", "en"), ("", "zh-hans")])
def test_sign_up_records_the_language_of_the_page(client, mailoutbox, prefix, language):
    client.post(
        f"{prefix}/accounts/signup/",
        {"email": "xiao.ming@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    # The verification stage holds up the log-in; the sign-up itself kept the language.
    assert get_user_model().objects.get(email="xiao.ming@example.com").language == language


def test_the_first_log_in_in_english_records_english(client):
    user = VerifiedUserFactory(email="li.lei@example.com", language="")  # an account from before
    response = client.post("/en/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en" and user.notice_language == "en"


@pytest.mark.parametrize(("prefix", "kept"), [("", "en"), ("/en", "zh-hans")])
def test_a_language_the_person_has_is_kept_at_a_log_in_in_the_other(client, prefix, kept):
    """Chosen on the account page (or at sign-up): a host who reads English but logs in on the
    Chinese page once still gets English notices."""
    user = VerifiedUserFactory(email="li.lei@example.com", language=kept)
    response = client.post(f"{prefix}/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == kept


def test_a_log_in_outside_a_request_leaves_the_language_alone(client):
    user = UserFactory()
    client.force_login(user)  # no LocaleMiddleware: nothing said about the person
    user.refresh_from_db()
    assert user.language == ""


def test_blank_falls_back_to_the_town_default():
    assert UserFactory(language="").notice_language == settings.LANGUAGE_CODE == "zh-hans"
    # A language the site stopped offering reads as the town's too.
    assert UserFactory(language="fr").notice_language == settings.LANGUAGE_CODE


def test_the_account_page_offers_the_languages_in_both(client):
    client.force_login(UserFactory(language="en"))
    english = client.get("/en/accounts/profile/").content.decode()
    assert "Language of our messages" in english and "The town&#x27;s language" in english
    assert '<option value="en" selected>English</option>' in english
    chinese = client.get("/accounts/profile/").content.decode()
    assert "通知语言" in chinese and "镇上的语言" in chinese


def test_a_language_chosen_on_the_account_page_is_kept_whatever_the_page_language(client):
    user = UserFactory(language="en")
    client.force_login(user)
    response = client.post(
        "/en/accounts/profile/", {"display_name": "小明", "phone": "", "language": "zh-hans"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "zh-hans"
    client.post("/en/accounts/profile/", {"display_name": "小明", "phone": "", "language": ""})
    user.refresh_from_db()
    assert user.language == "" and user.notice_language == "zh-hans"


def test_an_unknown_language_is_refused_and_nothing_is_saved(client):
    user = UserFactory(language="en", display_name="Old")
    client.force_login(user)
    response = client.post("/en/accounts/profile/", {"display_name": "New", "phone": "", "language": "fr"})
    assert response.status_code == 200
    assert "language" in response.context["form"].errors
    user.refresh_from_db()
    assert (user.display_name, user.language) == ("Old", "en")
