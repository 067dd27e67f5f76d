"""How notices reach a person (accounts.notices) and the account page's "How we reach you"."""

import pytest
from django.utils import translation

from accounts.notices import Channels, channels_for
from tests.factories.accounts import UserFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/profile/notices/"


def phone_user(**fields):
    return UserFactory(email=None, phone_number="+8613900000001", phone_verified=True, **fields)


def test_by_default_both_ways_where_there_is_a_contact():
    both = VerifiedUserFactory(phone_number="+8613900000002", phone_verified=True)
    assert channels_for(both) == Channels(sms="+8613900000002", email=both.email)
    assert channels_for(phone_user()) == Channels(sms="+8613900000001")


def test_an_unverified_number_is_never_texted():
    user = VerifiedUserFactory(phone_number="+8613900000003", phone_verified=False)
    assert channels_for(user) == Channels(email=user.email)


def test_nobody_reachable_is_left_out_when_their_choice_is_impossible():
    # E-mail only chosen, but no address: the verified number still gets the notice.
    assert channels_for(phone_user(notify_by_sms=False)) == Channels(sms="+8613900000001")
    # Both turned off (an older row, the admin): still reached.
    user = VerifiedUserFactory(notify_by_sms=False, notify_by_email=False)
    assert channels_for(user) == Channels(email=user.email)


def test_the_choice_is_kept_when_possible():
    user = VerifiedUserFactory(phone_number="+8613900000004", phone_verified=True, notify_by_email=False)
    assert channels_for(user) == Channels(sms="+8613900000004")


# --- the account page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "prefix", "heading", "explanation"),
    [
        ("zh-hans", "", "通知方式", "在上方添加并验证手机号码后即可接收短信"),
        ("en", "/en", "How we reach you", "Add and confirm a mobile number above to get text messages."),
    ],
)
def test_the_page_shows_sms_off_with_a_reason_without_a_verified_number(
    client, language, prefix, heading, explanation
):
    client.force_login(VerifiedUserFactory())
    with translation.override(language):
        page = client.get(f"{prefix}/accounts/profile/").content.decode()
    assert heading in page
    assert explanation in page
    assert 'name="notify_by_sms" disabled' in page or 'disabled id="id_notify_by_sms"' in page


def test_the_page_saves_the_choice(client):
    user = VerifiedUserFactory(phone_number="+8613900000005", phone_verified=True)
    client.force_login(user)

    response = client.post(URL, {"notify_by_sms": "on"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.notify_by_sms, user.notify_by_email) == (True, False)
    assert channels_for(user) == Channels(sms="+8613900000005")


def test_sms_cannot_be_chosen_without_a_verified_number(client):
    user = VerifiedUserFactory(phone_number="+8613900000006", phone_verified=False, notify_by_sms=False)
    client.force_login(user)

    response = client.post("/en" + URL, {"notify_by_sms": "on", "notify_by_email": "on"})

    assert response.status_code == 422
    assert "Confirm a mobile number first" in response.content.decode()
    user.refresh_from_db()
    assert user.notify_by_sms is False


def test_turning_every_way_off_is_refused(client):
    user = phone_user()
    client.force_login(user)

    response = client.post("/en" + URL, {})

    assert response.status_code == 422
    assert "Choose at least one way" in response.content.decode()
    user.refresh_from_db()
    assert user.notify_by_sms is True


def test_a_way_without_a_contact_keeps_its_setting_for_later(client):
    # E-mail unavailable (no address): saving SMS only leaves e-mail on, for the day one is added.
    user = phone_user()
    client.force_login(user)

    assert client.post(URL, {"notify_by_sms": "on"}).status_code == 302
    user.refresh_from_db()
    assert user.notify_by_email is True


def test_the_form_is_for_logged_in_people_and_posts_only(client):
    assert client.post(URL, {"notify_by_sms": "on"}).status_code == 302  # to log in
    client.force_login(phone_user())
    assert client.get(URL).status_code == 405
