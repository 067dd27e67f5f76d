"""The WeChat mini-program's log-in (POST /api/v1/auth/wechat/miniprogram): the code is exchanged
with code2session, here a local HTTP server answering as WeChat documents it; the answer is an
app token for the openid's account. Errors are clear 4xx/5xx answers and create nothing."""

import http.server
import json
import logging
import socket
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import AppToken, WeChatIdentity

pytestmark = pytest.mark.django_db

User = get_user_model()
APP_ID = "wx-test-app"
SECRET = "test-mini-secret"  # noqa: S105
SESSION_KEY = "tiWz0bX6session/key=="

# What WeChat answers for each code (https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/
# user-login/code2Session.html): an openid and session key, or an errcode and errmsg.
ANSWERS = {
    "code-li": {"openid": "o-li-hua", "session_key": SESSION_KEY, "unionid": "u-li-hua"},
    "code-li-again": {"openid": "o-li-hua", "session_key": SESSION_KEY},
    "code-wang": {"openid": "o-wang-fang", "session_key": SESSION_KEY},
    "code-bad": {"errcode": 40029, "errmsg": "invalid code, rid: 6757a8b1"},
    "code-used": {"errcode": 40163, "errmsg": "code been used, rid: 6757a8b2"},
    "code-limited": {"errcode": 45011, "errmsg": "api minute-quota reach limit, rid: 6757a8b3"},
    "code-busy": {"errcode": -1, "errmsg": "system error"},
}


class Code2SessionServer:
    """GET /sns/jscode2session, checking the app id, secret and grant type as WeChat does
    (a wrong secret is errcode 40125)."""

    def __init__(self):
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                outer.requests.append((url.path, query))
                if url.path != "/sns/jscode2session":
                    answer = {"errcode": 404, "errmsg": "not found"}
                elif query.get("appid") != APP_ID or query.get("secret") != SECRET:
                    answer = {"errcode": 40125, "errmsg": "invalid appsecret"}
                elif query.get("grant_type") != "authorization_code":
                    answer = {"errcode": 40002, "errmsg": "invalid grant_type"}
                else:
                    answer = ANSWERS.get(query.get("js_code"), {"errcode": 40029, "errmsg": "invalid code"})
                body = json.dumps(answer).encode()
                self.send_response(200)
                # WeChat says text/plain for this JSON.
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def wechat(settings):
    server = Code2SessionServer()
    settings.WECHAT_MINIPROGRAM_APP_ID = APP_ID
    settings.WECHAT_MINIPROGRAM_SECRET = SECRET
    settings.WECHAT_API_BASE = server.url
    yield server
    server.close()


@pytest.fixture
def app():
    """The mini-program: no cookies, CSRF enforced (wx.request keeps none)."""
    return Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")


def log_in(app, code, **extra):
    return app.post(
        "/api/v1/auth/wechat/miniprogram",
        data=json.dumps({"code": code, **extra}),
        content_type="application/json",
    )


def nothing_made():
    return not (User.objects.exists() or WeChatIdentity.objects.exists() or AppToken.objects.exists())


def test_a_new_wechat_user_gets_an_account_and_a_token(wechat, app):
    response = log_in(app, "code-li", device="Li's WeChat")
    assert response.status_code == 201, response.content
    body = response.json()
    identity = WeChatIdentity.objects.get()
    assert (identity.openid, identity.unionid, identity.kind) == ("o-li-hua", "u-li-hua", "miniprogram")
    assert body == {"id": identity.user.pk, "token": body["token"], "created": True}
    assert identity.user.email is None and identity.user.phone_number is None
    assert not identity.user.has_usable_password() and identity.user.language == "en"
    assert AppToken.objects.get().name == "Li's WeChat"
    [(path, query)] = wechat.requests
    assert path == "/sns/jscode2session"
    assert query == {
        "appid": APP_ID,
        "secret": SECRET,
        "js_code": "code-li",
        "grant_type": "authorization_code",
    }
    # The token works for the API, with no cookie and no CSRF token.
    orders = app.get("/api/v1/orders", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert orders.status_code == 200 and orders.json() == []


def test_the_session_key_is_kept_nowhere(wechat, app, caplog):
    caplog.set_level(logging.DEBUG)
    log_in(app, "code-li")
    rows = [*WeChatIdentity.objects.values(), *User.objects.values(), *AppToken.objects.values()]
    assert SESSION_KEY not in repr(rows) and SESSION_KEY not in caplog.text


def test_an_openid_already_linked_logs_into_the_same_account(wechat, app):
    first = log_in(app, "code-li").json()
    response = log_in(app, "code-li-again")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == first["id"] and body["created"] is False and body["token"] != first["token"]
    assert User.objects.count() == 1 and AppToken.objects.filter(user_id=first["id"]).count() == 2
    assert WeChatIdentity.objects.get().unionid == "u-li-hua"  # kept when WeChat leaves it out


def test_another_openid_gets_another_account(wechat, app):
    assert log_in(app, "code-li").json()["id"] != log_in(app, "code-wang").json()["id"]


@pytest.mark.parametrize("code", ["code-bad", "code-used"])
def test_a_code_wechat_refuses_is_422_and_makes_nothing(wechat, app, code):
    response = log_in(app, code)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "code"] and error["type"] == "code_invalid"
    assert "not valid" in error["msg"]
    assert nothing_made()


def test_wechats_rate_limit_is_429(wechat, app):
    response = log_in(app, "code-limited")
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_requests" and "wait a minute" in response.json()["detail"]
    assert nothing_made()


def test_wechat_busy_is_502(wechat, app):
    response = log_in(app, "code-busy")
    assert response.status_code == 502 and response.json()["code"] == "wechat_unavailable"
    assert nothing_made()


def test_a_wrong_secret_is_502_and_logged_without_the_secret(wechat, app, settings, caplog):
    settings.WECHAT_MINIPROGRAM_SECRET = "not-the-secret"  # noqa: S105
    response = log_in(app, "code-li")
    assert response.status_code == 502
    assert "40125" in caplog.text and "not-the-secret" not in caplog.text
    assert nothing_made()


def test_wechat_unreachable_is_502_and_makes_nothing(wechat, app, settings, caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.WECHAT_API_BASE = f"http://127.0.0.1:{port}"  # nothing listens there
    response = log_in(app, "code-li")
    assert response.status_code == 502
    assert response.json() == {
        "detail": "WeChat could not be reached to log you in. Please try again in a moment.",
        "code": "wechat_unavailable",
    }
    assert SECRET not in caplog.text
    assert nothing_made()


def test_not_configured_is_503(app, settings):
    settings.WECHAT_MINIPROGRAM_APP_ID = ""
    response = log_in(app, "code-li")
    assert response.status_code == 503 and response.json()["code"] == "not_configured"
    assert "not set up" in response.json()["detail"]


@pytest.mark.parametrize("code", ["", "x" * 200])
def test_a_missing_or_overlong_code_is_422_without_asking_wechat(wechat, app, code):
    assert log_in(app, code).status_code == 422
    assert wechat.requests == [] and nothing_made()


def test_a_switched_off_account_gets_no_token(wechat, app):
    user_id = log_in(app, "code-li").json()["id"]
    User.objects.filter(pk=user_id).update(is_active=False)
    response = log_in(app, "code-li-again")
    assert response.status_code == 403 and response.json()["code"] == "inactive"
    assert AppToken.objects.count() == 1


def test_the_schema_documents_the_endpoint_and_its_errors(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/auth/wechat/miniprogram"]["post"]
    assert set(operation["responses"]) == {"200", "201", "403", "422", "429", "502", "503"}
    assert "security" not in operation or operation["security"] == []


def test_someone_known_from_the_web_wechat_log_in_joins_that_account(wechat, app):
    """The same unionid is the same person to WeChat: the mini-program's openid joins the account
    the web log-in made, with its bookings, instead of a second, empty account."""
    from allauth.socialaccount.models import SocialAccount

    owner = User.objects.create_user(email="li@example.com", password="x-Pass-123")
    SocialAccount.objects.create(
        user=owner, provider="weixin", uid="o-web-li", extra_data={"unionid": "u-li-hua"}
    )
    response = log_in(app, "code-li")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == owner.pk and response.json()["created"] is False
    identity = WeChatIdentity.objects.get()
    assert (identity.user_id, identity.openid, identity.unionid) == (owner.pk, "o-li-hua", "u-li-hua")
    assert User.objects.count() == 1


def test_a_switched_off_account_is_not_joined(wechat, app):
    from allauth.socialaccount.models import SocialAccount

    owner = User.objects.create_user(email="li@example.com", password="x-Pass-123", is_active=False)
    SocialAccount.objects.create(
        user=owner, provider="weixin", uid="o-web-li", extra_data={"unionid": "u-li-hua"}
    )
    response = log_in(app, "code-li")
    assert response.status_code == 201
    assert WeChatIdentity.objects.get().user_id != owner.pk
