"""Where uploads go and where sessions are read, by environment: object storage when a bucket is
named (else MEDIA_ROOT), sessions read from Redis when REDIS_URL is set. The settings modules read
the environment once, when a server starts: they are loaded again here under each environment
(and once more afterwards, under the real one)."""

import importlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from storages.backends.s3 import S3Storage

BASE_DIR = Path(__file__).resolve().parents[2]
RENDITION = "images/strawberries.fill-160x160.webp"
BUCKET_ENV = {
    "AWS_STORAGE_BUCKET_NAME": "tianyuan-media",
    "AWS_S3_ENDPOINT_URL": "https://oss-cn-hangzhou.aliyuncs.com",
    "AWS_S3_REGION_NAME": "cn-hangzhou",
    "AWS_ACCESS_KEY_ID": "not-a-key",
    "AWS_SECRET_ACCESS_KEY": "not-a-secret",
}
WHITENOISE = "town.staticfiles.RememberingStaticFilesStorage"  # WhiteNoise's, addresses remembered
SETTINGS_MODULES = ["config.settings.base", "config.settings.production", "config.settings.test"]


def environment(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "REDIS_"))}
    clean.update(SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="tianyuan.example", **env)
    return clean


@pytest.fixture
def load_settings(monkeypatch):
    """``load_settings(name, **env)``: the settings module ``name`` as a server started with
    ``env`` would have it."""

    def load(name, **env):
        monkeypatch.setattr(os, "environ", environment(**env))
        for module in SETTINGS_MODULES:
            importlib.reload(importlib.import_module(module))
        return importlib.import_module(name)

    yield load
    monkeypatch.undo()
    # Back as the real environment has them; production (which needs SECRET_KEY to load) is
    # imported afresh by whoever wants it next.
    sys.modules.pop("config.settings.production", None)
    for module in ("config.settings.base", "config.settings.test"):
        importlib.reload(importlib.import_module(module))


def rendition_url(settings, loaded):
    """The URL pages would link for a rendition, from the storage these settings configure."""
    for name in dir(loaded):
        if name.startswith("AWS_"):
            setattr(settings, name, getattr(loaded, name))
    return S3Storage().url(RENDITION)


def test_production_without_a_bucket_keeps_uploads_on_the_disk(load_settings):
    production = load_settings("config.settings.production")
    assert production.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert production.STORAGES["staticfiles"]["BACKEND"] == WHITENOISE
    assert production.MEDIA_URL == "/media/"  # served by the web server (config/deploy/nginx.conf)
    assert "SESSION_ENGINE" not in vars(production)  # Django's default: sessions in the database


def test_production_with_a_bucket_links_plain_urls_on_its_endpoint(load_settings, settings):
    production = load_settings(
        "config.settings.production", **BUCKET_ENV, REDIS_URL="redis://127.0.0.1:6379/0"
    )
    assert production.STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert production.STORAGES["staticfiles"]["BACKEND"] == WHITENOISE
    assert (production.AWS_QUERYSTRING_AUTH, production.AWS_S3_FILE_OVERWRITE) == (False, False)
    assert production.WAGTAILDOCS_SERVE_METHOD == "serve_view"
    assert production.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    # Unsigned and virtual-hosted (what OSS and COS answer): the same URL on every render and host.
    assert (
        rendition_url(settings, production)
        == f"https://tianyuan-media.oss-cn-hangzhou.aliyuncs.com/{RENDITION}"
    )


def test_a_cdn_in_front_of_the_bucket_is_what_pages_link(load_settings, settings):
    production = load_settings(
        "config.settings.production", **BUCKET_ENV, AWS_S3_CUSTOM_DOMAIN="media.tianyuan.example"
    )
    assert rendition_url(settings, production) == f"https://media.tianyuan.example/{RENDITION}"


def test_minio_takes_path_style_addresses(load_settings, settings):
    production = load_settings(
        "config.settings.production",
        **{**BUCKET_ENV, "AWS_S3_ENDPOINT_URL": "http://minio.internal:9000"},
        AWS_S3_ADDRESSING_STYLE="path",
    )
    assert rendition_url(settings, production) == f"http://minio.internal:9000/tianyuan-media/{RENDITION}"


def test_the_tests_keep_uploads_on_the_disk_whatever_the_environment(load_settings):
    test_settings = load_settings("config.settings.test", **BUCKET_ENV)
    assert test_settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_deploy_check_is_clean_with_a_bucket_and_redis(tmp_path):
    env = environment(
        **BUCKET_ENV,
        REDIS_URL="redis://127.0.0.1:6379/0",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
