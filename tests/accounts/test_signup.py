"""allauth's flows as our visitors meet them: sign up, verify, log in, reset the password."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.roles import VISITORS
from tests.factories.accounts import DEFAULT_PASSWORD, UserFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Dao-Hua-Xiang-2026"
EN = "/en/accounts"


def sign_up(client, email="xiao.ming@example.com", prefix=EN):
    return client.post(f"{prefix}/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def confirmation_path(mail):
    url = re.search(r"https?://[^\s]+/confirm-email/[^\s]+/", mail.body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


def test_sign_up_sends_a_verification_email(client, mailoutbox):
    response = sign_up(client)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["xiao.ming@example.com"]
    assert "/confirm-email/" in mailoutbox[0].body


def test_new_sign_up_joins_visitors(client, mailoutbox):
    sign_up(client)
    user = get_user_model().objects.get(email="xiao.ming@example.com")
    assert list(user.groups.values_list("name", flat=True)) == [VISITORS]
    assert not user.has_verified_email


def test_log_in_before_verifying_is_refused(client, mailoutbox):
    sign_up(client)
    client.logout()
    response = client.post(f"{EN}/login/", {"login": "xiao.ming@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    page = client.get(response.url)
    assert "We have sent an email to you for verification" in page.content.decode()


def test_following_the_confirmation_link_verifies_and_logs_in(client, mailoutbox):
    sign_up(client)
    response = client.post(confirmation_path(mailoutbox[0]))
    assert response.status_code == 302
    user = get_user_model().objects.get(email="xiao.ming@example.com")
    assert user.has_verified_email
    assert client.session["_auth_user_id"] == str(user.pk)


def test_duplicate_email_sign_up_creates_no_account_and_tells_the_owner(client, mailoutbox):
    # allauth prevents account enumeration: the page does not say the address is taken, the
    # address's owner is told by e-mail instead.
    UserFactory(email="taken@example.com")
    response = sign_up(client, email="Taken@Example.com")
    assert response.status_code == 302
    assert get_user_model().objects.filter(email__iexact="taken@example.com").count() == 1
    assert [m.to for m in mailoutbox] == [["taken@example.com"]]
    assert "already exists" in mailoutbox[0].body


def test_log_in_works_with_the_email_in_any_case(client):
    user = VerifiedUserFactory(email="li.lei@example.com")
    response = client.post(f"{EN}/login/", {"login": "LI.Lei@Example.COM", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_reset_sends_an_email(client, mailoutbox):
    VerifiedUserFactory(email="han.meimei@example.com")
    response = client.post(f"{EN}/password/reset/", {"email": "han.meimei@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["han.meimei@example.com"]
    assert "/password/reset/key/" in mailoutbox[0].body


def test_login_page_is_chinese_by_default(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans"' in html
    assert "密码" in html


def test_login_page_is_english_under_en(client):
    html = client.get(f"{EN}/login/").content.decode()
    assert '<html lang="en"' in html
    assert "Password" in html
    assert "密码" not in html


@pytest.mark.parametrize(
    ("prefix", "hello"),
    [("/accounts", "您好！这里是青溪 · 田园 Tianyuan。"), (EN, "Hello! This is 青溪 · 田园 Tianyuan.")],
)
def test_emails_name_the_site_not_the_host_they_were_asked_from(client, mailoutbox, prefix, hello):
    from wagtail.models import Site

    Site.objects.filter(is_default_site=True).update(site_name="青溪 · 田园 Tianyuan")
    sign_up(client, prefix=prefix)
    (mail,) = mailoutbox
    assert mail.subject.startswith("[青溪 · 田园 Tianyuan] ")
    assert "青溪 · 田园 Tianyuan" in mail.body
    # The request came in on "testserver" (127.0.0.1:8101 on a dev machine): never the site's name.
    assert "testserver" not in mail.subject and "来自testserver" not in mail.body
    assert "Hello from" not in mail.body
    assert hello in mail.body
