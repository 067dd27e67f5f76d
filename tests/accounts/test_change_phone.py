"""Adding or changing the log-in mobile number on the account page, through allauth's own
"change mobile number" and "verify" views, the code read from the memory SMS backend."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories.accounts import DEFAULT_PASSWORD, UserFactory, VerifiedUserFactory

from .phone_fixtures import code_in

pytestmark = pytest.mark.django_db

EN = "/en/accounts"
NEW = "+8613900000000"
User = get_user_model()


def log_in(client, post, user):
    """The real log-in page: allauth then counts the log-in as recent, so changing the number
    needs no re-authentication."""
    response = post(f"{EN}/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


def change_to(post, outbox, number):
    response = post(f"{EN}/phone/change/", {"phone": number})
    assert response.status_code == 302, response.content.decode()[:2000]
    return post(f"{EN}/phone/verify/", {"code": code_in(outbox[-1])})


def test_adding_a_mobile_number_saves_it_verified(client, post, outbox):
    user = VerifiedUserFactory()
    log_in(client, post, user)
    response = change_to(post, outbox, "139 0000 0000")
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.phone_number, user.phone_verified, user.phone) == (NEW, True, NEW)
    page = client.get(f"{EN}/profile/").content.decode()
    assert "Verified" in page


def test_changing_the_number_replaces_the_old_one(client, post, outbox):
    user = VerifiedUserFactory(phone_number="+8613800000000", phone_verified=True, phone="+8613800000000")
    log_in(client, post, user)
    change_to(post, outbox, NEW)
    user.refresh_from_db()
    assert (user.phone_number, user.phone_verified, user.phone) == (NEW, True, NEW)
    assert not User.objects.filter(phone_number="+8613800000000").exists()


def test_a_contact_phone_of_its_own_is_kept(client, post, outbox):
    user = VerifiedUserFactory(phone="+44 20 7946 0000")
    log_in(client, post, user)
    change_to(post, outbox, NEW)
    user.refresh_from_db()
    assert user.phone_number == NEW and user.phone == "+44 20 7946 0000"


def test_the_proven_owner_takes_a_number_another_account_only_typed_in(client, post, outbox):
    squatter = UserFactory(phone_number=NEW, phone_verified=False, phone=NEW)
    user = VerifiedUserFactory()
    log_in(client, post, user)
    change_to(post, outbox, NEW)
    user.refresh_from_db()
    squatter.refresh_from_db()
    assert (user.phone_number, user.phone_verified) == (NEW, True)
    assert squatter.phone_number is None and not squatter.phone_verified and squatter.phone == ""


def test_a_number_verified_on_another_account_is_refused_with_a_clear_message(client, post, outbox):
    owner = UserFactory(phone_number=NEW, phone_verified=True)
    user = VerifiedUserFactory()
    log_in(client, post, user)
    response = change_to(post, outbox, NEW)
    assert response.status_code == 200
    assert "already verified on another Tianyuan account" in response.content.decode()
    user.refresh_from_db()
    owner.refresh_from_db()
    assert user.phone_number is None
    assert (owner.phone_number, owner.phone_verified) == (NEW, True)


def test_a_number_verified_elsewhere_meanwhile_is_refused_by_the_service(client, post, outbox):
    """The form checked; the number was proven on another account before the change was saved."""
    from accounts.services import PhoneTaken, take_phone

    owner = UserFactory(phone_number=NEW, phone_verified=True)
    user = VerifiedUserFactory()
    with pytest.raises(PhoneTaken):
        take_phone(user, NEW)
    user.refresh_from_db()
    owner.refresh_from_db()
    assert user.phone_number is None and owner.phone_number == NEW


def test_a_wrong_code_changes_nothing(client, post, outbox):
    user = VerifiedUserFactory()
    log_in(client, post, user)
    post(f"{EN}/phone/change/", {"phone": NEW})
    right = code_in(outbox[-1])
    page = post(f"{EN}/phone/verify/", {"code": "000000" if right != "000000" else "111111"})
    assert page.status_code == 200
    user.refresh_from_db()
    assert user.phone_number is None
