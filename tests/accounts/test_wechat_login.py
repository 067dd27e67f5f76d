"""Issue 15 item 6: WeChat log-in by the web QR code, through allauth's real "weixin" provider
views against a local server answering WeChat's access-token and user-info endpoints
(wechat_server.py). A first WeChat log-in proves a mobile number by a code (read from the memory
SMS backend) and is linked to that number's account, or to one made for it."""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from accounts.roles import VISITORS
from tests.factories.accounts import UserFactory, VerifiedUserFactory

from .phone_fixtures import code_in
from .wechat_server import APP_ID, APP_SECRET, WeChatServer

pytestmark = pytest.mark.django_db

EN = "/en/accounts"
PHONE = "+8613900000000"
User = get_user_model()


@pytest.fixture
def wechat_server():
    server = WeChatServer()
    yield server
    server.close()


@pytest.fixture
def wechat(settings, wechat_server):
    """WeChat log-in configured (as WECHAT_APP_ID / WECHAT_APP_SECRET do), its API on the local server."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "weixin": {"SCOPE": ["snsapi_login"], "APP": {"client_id": APP_ID, "secret": APP_SECRET}}
    }
    settings.WECHAT_API_BASE = wechat_server.url
    return wechat_server


def phone_user(**fields):
    return UserFactory(email=None, phone_number=PHONE, phone=PHONE, phone_verified=True, **fields)


def start(client, path=f"{EN}/weixin/login/", **data):
    """Press "Log in with WeChat": allauth sends the browser to WeChat's QR page."""
    response = client.post(path, data)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "open.weixin.qq.com",
        "/connect/qrconnect",
    )
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def come_back(client, params, code):
    """WeChat sends the browser back to the callback with the code and the state."""
    callback = urlsplit(params["redirect_uri"])
    return client.get(callback.path, {"code": code, "state": params["state"]})


def test_the_log_in_button_sends_to_wechats_qr_page_with_the_app_id_and_a_state(client, wechat):
    page = client.get(f"{EN}/login/")
    assert b"Log in with WeChat" in page.content
    params = start(client)
    assert params["appid"] == APP_ID
    assert params["scope"] == "snsapi_login"
    assert params["response_type"] == "code"
    assert params["redirect_uri"] == f"http://testserver{EN}/weixin/login/callback/"
    assert len(params["state"]) >= 8
    assert APP_SECRET not in str(params)


def test_a_new_wechat_user_proves_a_phone_and_lands_in_the_phone_account(client, post, wechat, outbox):
    owner = phone_user(display_name="Li Hua")
    params = start(client)

    response = come_back(client, params, wechat.scan("o-new-1"))
    # The callback exchanged the code with the app's id and secret, then read the user's info.
    token_call, info_call = wechat.requests
    assert token_call[1] == "/sns/oauth2/access_token"
    assert token_call[2]["appid"] == APP_ID and token_call[2]["secret"] == APP_SECRET
    assert info_call[1] == "/sns/userinfo" and info_call[2]["openid"] == "o-new-1"
    assert response.status_code == 302 and response["Location"] == f"{EN}/3rdparty/signup/"
    assert not SocialAccount.objects.exists()

    page = client.get(f"{EN}/3rdparty/signup/")
    assert page.status_code == 200 and b"One more step" in page.content
    sent = post(f"{EN}/3rdparty/signup/", {"phone": "139 0000 0000", "send_code": "1"})
    assert sent.status_code == 200 and b"We texted a code to +86 139 0000 0000" in sent.content
    assert [message.phone for message in outbox] == [PHONE]

    response = post(f"{EN}/3rdparty/signup/", {"phone": "13900000000", "code": code_in(outbox[-1])})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
    account = SocialAccount.objects.get()
    assert (account.provider, account.uid, account.user_id) == ("weixin", "o-new-1", owner.pk)
    assert User.objects.count() == 1
    owner.refresh_from_db()
    assert owner.display_name == "Li Hua"  # an existing account keeps its name


def test_a_new_wechat_user_with_a_new_number_gets_a_phone_account_named_after_wechat(
    client, post, wechat, outbox
):
    params = start(client)
    come_back(client, params, wechat.scan("o-new-2", nickname="桃花妹"))
    post(f"{EN}/3rdparty/signup/", {"phone": PHONE, "send_code": "1"})
    response = post(f"{EN}/3rdparty/signup/", {"phone": PHONE, "code": code_in(outbox[-1])})

    assert response.status_code == 302
    user = User.objects.get(phone_number=PHONE)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.phone_verified and not user.has_usable_password() and user.email is None
    assert user.display_name == "桃花妹"  # WeChat's UTF-8 nickname, decoded as allauth does
    assert user.groups.filter(name=VISITORS).exists()
    assert SocialAccount.objects.get(uid="o-new-2").user == user


def test_a_wrong_code_links_nothing_and_the_step_can_be_retried(client, post, wechat, outbox):
    owner = phone_user()
    come_back(client, start(client), wechat.scan("o-new-3"))
    post(f"{EN}/3rdparty/signup/", {"phone": PHONE, "send_code": "1"})
    right = code_in(outbox[-1])
    wrong = "000000" if right != "000000" else "111111"

    response = post(f"{EN}/3rdparty/signup/", {"phone": PHONE, "code": wrong})
    assert response.status_code == 422
    assert b"That code is not right" in response.content
    assert not SocialAccount.objects.exists() and "_auth_user_id" not in client.session

    no_code = post(f"{EN}/3rdparty/signup/", {"phone": PHONE})
    assert no_code.status_code == 422 and b"Press" in no_code.content

    response = post(f"{EN}/3rdparty/signup/", {"phone": PHONE, "code": right})
    assert response.status_code == 302 and SocialAccount.objects.get().user == owner


def test_codes_on_the_wechat_step_count_against_the_numbers_limits(client, post, wechat, outbox):
    come_back(client, start(client), wechat.scan("o-new-4"))
    post(f"{EN}/3rdparty/signup/", {"phone": PHONE, "send_code": "1"})
    again = post(f"{EN}/3rdparty/signup/", {"phone": PHONE, "send_code": "1"})
    assert again.status_code == 429
    assert b"less than a minute ago" in again.content
    assert len(outbox) == 1


def test_a_number_a_stranger_typed_into_an_email_account_goes_to_a_fresh_account(
    client, post, wechat, outbox
):
    # Someone signed up with this number and their own verified address, never proving the number
    # (services.prove_phone): WeChat goes to a fresh account for the number, not theirs.
    stranger = VerifiedUserFactory(phone_number=PHONE, phone_verified=False)
    come_back(client, start(client), wechat.scan("o-owner"))
    post(f"{EN}/3rdparty/signup/", {"phone": PHONE, "send_code": "1"})
    post(f"{EN}/3rdparty/signup/", {"phone": PHONE, "code": code_in(outbox[-1])})

    owner = User.objects.get(phone_number=PHONE)
    assert owner != stranger
    assert SocialAccount.objects.get(uid="o-owner").user == owner
    stranger.refresh_from_db()
    assert stranger.phone_number is None and not SocialAccount.objects.filter(user=stranger).exists()


def test_an_inactive_account_is_not_logged_in_nor_linked(client, post, wechat, outbox):
    phone_user(is_active=False)
    come_back(client, start(client), wechat.scan("o-off"))
    post(f"{EN}/3rdparty/signup/", {"phone": PHONE, "send_code": "1"})
    response = post(f"{EN}/3rdparty/signup/", {"phone": PHONE, "code": code_in(outbox[-1])})
    assert response.status_code == 403
    assert b"switched off" in response.content
    assert not SocialAccount.objects.exists() and "_auth_user_id" not in client.session


def test_an_already_linked_wechat_account_logs_straight_in(client, wechat, outbox):
    owner = phone_user()
    SocialAccount.objects.create(user=owner, provider="weixin", uid="o-known")
    params = start(client, next="/en/trips/")

    response = come_back(client, params, wechat.scan("o-known", nickname="新名字"))
    assert response.status_code == 302 and response["Location"] == "/en/trips/"
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert outbox == []  # no code asked
    assert SocialAccount.objects.get().extra_data["nickname"] == "新名字"


@pytest.mark.parametrize(
    "break_it",
    [
        pytest.param(lambda server, code: server.codes.pop(code), id="code-unknown-to-wechat"),
        pytest.param(
            lambda server, code: server.codes[code].update(userinfo_error=True), id="userinfo-error"
        ),
    ],
)
def test_an_error_from_wechat_shows_allauths_error_page_and_makes_nothing(client, wechat, break_it):
    params = start(client)
    code = wechat.scan("o-err")
    break_it(wechat, code)
    response = come_back(client, params, code)
    assert response.status_code == 401
    assert b"WeChat log-in did not work" in response.content
    assert not SocialAccount.objects.exists() and not User.objects.exists()
    assert "_auth_user_id" not in client.session


def test_a_callback_without_its_state_is_refused(client, wechat):
    params = start(client)
    response = come_back(client, {**params, "state": "not-ours"}, wechat.scan("o-state"))
    assert response.status_code == 401
    assert not wechat.requests  # the code was never exchanged


def test_without_wechat_configured_there_is_no_button_and_its_pages_are_not_found(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"weixin": {"SCOPE": ["snsapi_login"]}}
    for page in (f"{EN}/login/", f"{EN}/signup/"):
        response = client.get(page)
        assert response.status_code == 200 and b"WeChat" not in response.content
    for path in ("/weixin/login/", "/weixin/login/callback/", "/3rdparty/", "/3rdparty/signup/"):
        assert client.get(f"{EN}{path}").status_code == 404
    assert client.post(f"{EN}/weixin/login/").status_code == 404
    client.force_login(phone_user())
    # The WeChat log-in's section is gone (the signed-in devices may still name the mini-program).
    profile = client.get(f"{EN}/profile/").content
    assert b'id="account-wechat"' not in profile and b"Link WeChat" not in profile


def test_the_sign_up_page_offers_wechat_when_configured(client, wechat):
    assert b"Sign up with WeChat" in client.get(f"{EN}/signup/").content


def test_a_logged_in_visitor_links_wechat_from_the_account_page(client, wechat):
    user = phone_user()
    client.force_login(user)
    page = client.get(f"{EN}/profile/")
    assert b"Link WeChat" in page.content

    params = start(client, process="connect")
    response = come_back(client, params, wechat.scan("o-link", nickname="阿华"))
    assert response.status_code == 302 and response["Location"] == f"{EN}/3rdparty/"
    assert SocialAccount.objects.get(uid="o-link").user == user
    page = client.get(f"{EN}/3rdparty/")
    assert b"WeChat is linked" in page.content and "阿华" in page.content.decode()
    assert "阿华" in client.get(f"{EN}/profile/").content.decode()


def test_a_wechat_account_linked_to_someone_else_is_not_moved(client, wechat):
    other = VerifiedUserFactory()
    SocialAccount.objects.create(user=other, provider="weixin", uid="o-taken")
    user = phone_user()
    client.force_login(user)

    params = start(client, process="connect")
    response = come_back(client, params, wechat.scan("o-taken"))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"already linked to another Tianyuan account" in page.content
    assert SocialAccount.objects.get().user == other
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_already_linked_message_is_in_chinese_too(client, wechat):
    other = VerifiedUserFactory()
    SocialAccount.objects.create(user=other, provider="weixin", uid="o-taken-zh")
    client.force_login(phone_user())
    params = start(client, path="/accounts/weixin/login/", process="connect")
    response = come_back(client, params, wechat.scan("o-taken-zh"))
    page = client.get(response["Location"])
    assert "已绑定另一个田园账号" in page.content.decode()


def test_a_phone_account_may_unlink_wechat_without_a_password(client, wechat):
    # allauth alone refuses to remove the last WeChat account of an account without a password;
    # a proven mobile number still logs in by code.
    user = phone_user()
    user.set_unusable_password()
    user.save()
    account = SocialAccount.objects.create(user=user, provider="weixin", uid="o-unlink")
    client.force_login(user)
    response = client.post(f"{EN}/3rdparty/", {"account": account.pk})
    assert response.status_code == 302
    assert not SocialAccount.objects.exists()


def test_an_account_with_no_other_way_in_keeps_its_wechat(client, wechat):
    user = UserFactory(email=None, phone_number=None)
    user.set_unusable_password()
    user.save()
    account = SocialAccount.objects.create(user=user, provider="weixin", uid="o-only")
    client.force_login(user)
    response = client.post(f"{EN}/3rdparty/", {"account": account.pk})
    assert response.status_code == 200
    assert b"Add a mobile number first" in response.content
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_a_wechat_account_linked_meanwhile_in_another_tab_makes_nothing(client, post, wechat, outbox):
    come_back(client, start(client), wechat.scan("o-race"))
    post(f"{EN}/3rdparty/signup/", {"phone": PHONE, "send_code": "1"})
    # Meanwhile another tab finished the same WeChat log-in with another number.
    other = VerifiedUserFactory()
    SocialAccount.objects.create(user=other, provider="weixin", uid="o-race")

    response = post(f"{EN}/3rdparty/signup/", {"phone": PHONE, "code": code_in(outbox[-1])})
    assert response.status_code == 302 and response["Location"] == f"{EN}/login/"
    assert b"already linked to a Tianyuan account" in client.get(response["Location"]).content
    assert not User.objects.filter(phone_number=PHONE).exists()  # the new account was rolled back
    assert SocialAccount.objects.get().user == other
    assert "_auth_user_id" not in client.session


def test_someone_the_mini_program_knows_logs_straight_into_that_account(client, wechat, outbox):
    """WeChat's unionid says the person already has an account from the mini-program: the web
    log-in joins it (no second account, no code asked), and the visitor is logged in."""
    from accounts.models import WeChatIdentity

    mini = phone_user()  # a mini-program account that added its number
    WeChatIdentity.objects.create(user=mini, kind="miniprogram", openid="o-mini-9", unionid="u-o-web-9")
    params = start(client, next="/en/trips/")

    response = come_back(client, params, wechat.scan("o-web-9"))  # the fake's unionid: "u-o-web-9"
    assert response.status_code == 302 and response["Location"] == "/en/trips/"
    assert client.session["_auth_user_id"] == str(mini.pk)
    account = SocialAccount.objects.get()
    assert (account.uid, account.user_id) == ("o-web-9", mini.pk)
    assert User.objects.count() == 1 and outbox == []


def test_a_mini_program_account_without_a_number_is_not_joined_before_the_number_step(client, wechat):
    from accounts.models import WeChatIdentity

    mini = User.objects.create(email=None)
    WeChatIdentity.objects.create(user=mini, kind="miniprogram", openid="o-mini-9", unionid="u-o-web-9")
    response = come_back(client, start(client), wechat.scan("o-web-9"))
    assert response["Location"] == f"{EN}/3rdparty/signup/"  # prove a number first, as anyone
    assert not SocialAccount.objects.exists() and "_auth_user_id" not in client.session


def test_a_visitor_linking_from_the_account_page_keeps_allauths_own_connect(client, wechat):
    from accounts.models import WeChatIdentity

    mini = User.objects.create(email=None)
    WeChatIdentity.objects.create(user=mini, kind="miniprogram", openid="o-mini-9", unionid="u-o-web-9")
    me = VerifiedUserFactory()
    client.force_login(me)
    params = start(client, f"{EN}/weixin/login/", process="connect")
    come_back(client, params, wechat.scan("o-web-9"))
    assert SocialAccount.objects.get().user_id == me.pk  # linked to who asked, not joined elsewhere
