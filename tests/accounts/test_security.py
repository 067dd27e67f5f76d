import importlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.middleware import ContentSecurityPolicyMiddleware

BASE_DIR = Path(__file__).resolve().parents[2]


def production_env(tmp_path):
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="tianyuan.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
    )
    return env


@pytest.fixture
def production_settings(monkeypatch, tmp_path):
    for key, value in production_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    return importlib.reload(importlib.import_module("config.settings.production"))


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def csp_response(settings, production_settings, path):
    settings.CONTENT_SECURITY_POLICY = production_settings.CONTENT_SECURITY_POLICY
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("ok"))
    return middleware(RequestFactory().get(path))


def test_production_sends_the_csp_on_public_pages(settings, production_settings):
    assert "accounts.middleware.ContentSecurityPolicyMiddleware" in production_settings.MIDDLEWARE
    response = csp_response(settings, production_settings, "/attractions/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "object-src 'none'" in response["Content-Security-Policy"]


def test_csp_is_not_sent_on_the_wagtail_admin(settings, production_settings):
    response = csp_response(settings, production_settings, "/admin/pages/")
    assert "Content-Security-Policy" not in response


@pytest.mark.parametrize(("value", "count"), [(None, 0), ("1", 1)])
def test_production_takes_the_trusted_proxy_count_from_the_environment(monkeypatch, tmp_path, value, count):
    for key, env_value in production_env(tmp_path).items():
        monkeypatch.setenv(key, env_value)
    if value is None:
        monkeypatch.delenv("ALLAUTH_TRUSTED_PROXY_COUNT", raising=False)
    else:
        monkeypatch.setenv("ALLAUTH_TRUSTED_PROXY_COUNT", value)

    production = importlib.reload(importlib.import_module("config.settings.production"))

    trusted = production.ALLAUTH_TRUSTED_PROXY_COUNT
    assert trusted == count  # 0: REMOTE_ADDR, X-Forwarded-For ignored


@pytest.mark.django_db
def test_too_many_login_posts_from_one_ip_get_429(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    statuses = [
        client.post("/en/accounts/login/", {"login": f"u{i}@example.com", "password": "nope"}).status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.django_db
def test_the_429_page_says_what_happened_in_chinese_and_english(client, settings, home_page):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    data = {"login": "u@example.com", "password": "nope"}
    client.post("/accounts/login/", data)

    chinese = client.post("/accounts/login/", data)
    english = client.post("/en/accounts/login/", data)

    assert chinese.status_code == english.status_code == 429
    assert "短时间内尝试次数过多，请等几分钟后再试。" in chinese.content.decode()
    assert "Please wait a few minutes and try again." in english.content.decode()
    assert 'class="site-header"' in english.content.decode()


def test_allauth_rate_limits_keep_the_login_limits_on(settings):
    from allauth.account import app_settings

    assert app_settings.RATE_LIMITS["login"]
    assert app_settings.RATE_LIMITS["login_failed"] == settings.ACCOUNT_RATE_LIMITS["login_failed"]
