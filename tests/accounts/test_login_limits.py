"""One log-in for the site and the admin, with allauth's limits: per client address (from the
trusted proxies, never from what the client writes in X-Forwarded-For) and per account."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.factories.accounts import DEFAULT_PASSWORD, SuperuserFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

TOO_MANY_ZH = "登录尝试次数过多，请等几分钟后再试。"
TOO_MANY_EN = "Too many log-in attempts. Please wait a few minutes and try again."
PROXY = "10.0.0.2"  # the address gunicorn sees behind the proxy
CLIENT = "203.0.113.7"  # the address the proxy saw and appended to X-Forwarded-For
DOORS = ["site", "admin"]


@pytest.fixture
def staff(db):
    user = SuperuserFactory(email="office@tianyuan.example")
    user.emailaddress_set.create(email=user.email, primary=True, verified=True)
    return user


@pytest.fixture
def visitor(db):
    return VerifiedUserFactory(email="xiao.ming@example.com")


def from_client(address, proxies, claimed):
    """The headers of a request from ``address`` that claims to come from ``claimed`` in
    X-Forwarded-For, with no proxy in front of us or one that appends what it saw."""
    if proxies == 0:
        return {"REMOTE_ADDR": address, "HTTP_X_FORWARDED_FOR": claimed}
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{claimed}, {address}"}


def log_in(client, door, email, password, **headers):
    """Post the log-in form, at the site's page or the way the admin sends staff (/admin/login/,
    which leads to the form)."""
    path, data = "/accounts/login/", {"login": email, "password": password}
    if door == "admin":
        page = client.get("/admin/login/", {"next": "/admin/"}, follow=True, **headers)
        path, data = page.request["PATH_INFO"], {**data, "next": "/admin/"}
    return client.post(path, data, **headers)


def logged_in(client):
    return client.session.get("_auth_user_id")


def test_the_admin_login_address_checks_no_password_itself(client, staff):
    response = client.post("/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
    assert not logged_in(client)


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("proxies", [0, 1])
def test_invented_forwarded_addresses_do_not_reset_the_limit(client, settings, staff, door, proxies):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    # Ten wrong guesses, each for another account and each claiming another address.
    for i in range(10):
        headers = from_client(CLIENT, proxies, claimed=f"192.0.2.{i}")
        log_in(client, door, f"guess{i}@example.com", "wrong", **headers)

    headers = from_client(CLIENT, proxies, claimed="192.0.2.99")
    response = log_in(client, door, staff.email, DEFAULT_PASSWORD, **headers)

    assert not logged_in(client)
    assert TOO_MANY_ZH in response.content.decode()


@pytest.mark.parametrize(("proxies", "other_client_logs_in"), [(1, True), (0, False)])
def test_behind_the_proxy_the_trusted_count_keeps_clients_apart(
    client, settings, staff, proxies, other_client_logs_in
):
    """With the proxy counted, one client's failures leave the others alone; without it every
    client has the proxy's address and ten failures from anyone lock everyone out."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    behind_proxy = {"REMOTE_ADDR": PROXY}
    for i in range(10):
        log_in(client, "site", f"guess{i}@example.com", "wrong", **behind_proxy, HTTP_X_FORWARDED_FOR=CLIENT)

    log_in(client, "site", staff.email, DEFAULT_PASSWORD, **behind_proxy, HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert bool(logged_in(client)) is other_client_logs_in


def test_failures_on_one_account_do_not_lock_out_another_from_the_same_address(client, staff, visitor):
    for _ in range(5):
        log_in(client, "site", visitor.email, "wrong")
    log_in(client, "site", visitor.email, DEFAULT_PASSWORD)
    assert not logged_in(client)

    log_in(client, "site", staff.email, DEFAULT_PASSWORD)

    assert logged_in(client) == str(staff.pk)


@pytest.mark.parametrize("locked_at", DOORS)
@pytest.mark.parametrize("tried_at", DOORS)
def test_a_locked_account_cannot_log_in_at_either_door(client, staff, locked_at, tried_at):
    for _ in range(5):
        log_in(client, locked_at, staff.email, "wrong")

    response = log_in(client, tried_at, staff.email, DEFAULT_PASSWORD)

    assert not logged_in(client)
    assert TOO_MANY_ZH in response.content.decode()


def test_the_account_lock_holds_until_its_window_passes(client, staff, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    for _ in range(5):
        log_in(client, "site", staff.email, "wrong")

    time_machine.shift(dt.timedelta(minutes=4, seconds=59))
    log_in(client, "site", staff.email, DEFAULT_PASSWORD)
    assert not logged_in(client)

    time_machine.shift(dt.timedelta(seconds=2))
    log_in(client, "site", staff.email, DEFAULT_PASSWORD)
    assert logged_in(client) == str(staff.pk)


@pytest.mark.parametrize("host", ["testserver:8443", "localhost"])
def test_another_host_name_or_port_does_not_reset_the_account_lock(client, staff, host):
    for _ in range(5):
        log_in(client, "site", staff.email, "wrong")

    response = log_in(client, "site", staff.email, DEFAULT_PASSWORD, HTTP_HOST=host)

    assert not logged_in(client)
    assert TOO_MANY_ZH in response.content.decode()


def test_the_lock_message_is_clear_in_chinese_and_english(client, staff):
    for _ in range(5):
        log_in(client, "site", staff.email, "wrong")
    right = {"login": staff.email, "password": DEFAULT_PASSWORD}

    assert TOO_MANY_ZH in client.post("/accounts/login/", right).content.decode()
    assert TOO_MANY_EN in client.post("/en/accounts/login/", right).content.decode()


# --- the admin's door is the site's -----------------------------------------------------------


def test_the_admin_sends_anonymous_users_to_the_site_login(client):
    for path in ("/admin/pages/", "/admin/login/?next=/admin/pages/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/admin/pages/"


def test_staff_log_in_through_the_admin_door_and_land_in_the_admin(client, staff):
    response = log_in(client, "admin", staff.email, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_visitor_sent_to_the_admin_is_told_no_and_not_sent_round_in_circles(client, visitor, home_page):
    response = log_in(client, "admin", visitor.email, DEFAULT_PASSWORD)
    assert response["Location"] == "/admin/"

    response = client.get("/admin/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"  # the home page, not round the admin and log-in
    assert "您没有权限访问管理后台" in response.content.decode()
    assert logged_in(client) == str(visitor.pk)


def test_the_admin_logout_leads_to_the_site_login(client, staff):
    client.force_login(staff)

    response = client.post("/admin/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert not logged_in(client)


def test_the_admin_password_reset_is_the_sites(client):
    """Wagtail's own reset form is unlimited; the site's counts per address and per account."""
    assert client.get("/admin/password_reset/").status_code == 404
    assert client.get("/accounts/password/reset/").status_code == 200
