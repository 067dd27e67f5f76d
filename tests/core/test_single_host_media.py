"""The single-host recipe (README, "Running in production"): gunicorn with the production settings
and uploads on the local disk, behind nginx configured with config/deploy/nginx.conf as shipped
(only its host, paths and ports changed). Uploaded images are linked by the app and served by
nginx; the app itself never serves MEDIA_ROOT (WhiteNoise knows only the files there when it
starts), so without the web server's media location they answer 404.

Needs PostgreSQL (the server shares the test database) and nginx (Debian's nginx-light, which
.ci/run installs); REQUIRE_POSTGRES=1 makes a missing piece fail instead of skip.
"""

import io
import os
import re
import shutil
import subprocess
import sys

import pytest
import requests
from django.conf import settings
from PIL import Image

from tests.factories.home import set_footer
from tests.factories.products import ProductFactory, ProductPhotoFactory, ShopPageFactory
from tests.servers import (
    GUNICORN,
    ROOT,
    database_url,
    free_port,
    missing,
    start_gunicorn,
    stop,
    wait_for,
    wait_for_servers_to_disconnect,
)

pytestmark = [pytest.mark.postgres, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RECIPE = ROOT / "config" / "deploy" / "nginx.conf"
REQUEST_TIMEOUT = 30
# Around the recipe: what running nginx as a test (no root paths, in the foreground) needs.
NGINX_MAIN = """\
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
{user}
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""


def recipe_for(media_root, listen_port, app_port):
    """The shipped site configuration with this machine's paths and ports."""
    text = RECIPE.read_text()
    for old, new in [
        ("listen 80;", f"listen 127.0.0.1:{listen_port};"),
        ("alias /srv/tianyuan/media/;", f"alias {media_root}/;"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
    ]:
        assert old in text, f"{RECIPE.name} no longer says {old!r}: update this test with it"
        text = text.replace(old, new)
    return text


@pytest.fixture
def single_host(tmp_path, settings):
    """gunicorn (production settings, local media in this test's MEDIA_ROOT) behind nginx."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx is None:
        missing("nginx is not installed (apt-get install nginx-light)", "the single-host media test")
    if not GUNICORN.exists():
        missing(f"gunicorn not found next to {sys.executable}", "the single-host media test")
    media_root = str(settings.MEDIA_ROOT)
    os.makedirs(media_root, exist_ok=True)
    app_port, web_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_", "REDIS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.core.two_servers_settings",
        PYTHONPATH=str(ROOT),
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url(),
        MEDIA_ROOT=media_root,
        CACHE_DIR=str(tmp_path / "cache"),
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
    )
    conf = tmp_path / "nginx"
    conf.mkdir()
    (conf / "site.conf").write_text(recipe_for(media_root, web_port, app_port))
    # As root, nginx's workers would run as nobody, who cannot enter pytest's private folders.
    user = "user root;" if os.geteuid() == 0 else ""
    (conf / "nginx.conf").write_text(NGINX_MAIN.format(tmp=conf, user=user))
    processes = []
    try:
        app = start_gunicorn(env, app_port)
        processes.append(app)
        web = subprocess.Popen(  # noqa: S603
            [nginx, "-c", str(conf / "nginx.conf"), "-p", str(conf), "-e", str(conf / "error.log")],
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        processes.append(web)
        app_url, web_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{web_port}"
        wait_for(app_url + "/robots.txt", app, "gunicorn")
        wait_for(web_url + "/robots.txt", web, "nginx")
        yield app_url, web_url
    finally:
        stop(processes)
        wait_for_servers_to_disconnect()


def test_uploaded_images_are_served_by_the_web_server(single_host, home_page):
    app, web = single_host
    set_footer()
    ShopPageFactory(parent=home_page)
    product = ProductFactory(name="奶油草莓")
    photo = ProductPhotoFactory(product=product)

    page = requests.get(web + product.get_absolute_url(), timeout=REQUEST_TIMEOUT)
    assert page.status_code == 200
    links = re.findall(r'src="(/media/images/[^"]+\.webp)"', page.text)
    assert links, page.text[:2000]

    served = requests.get(web + links[0], timeout=REQUEST_TIMEOUT)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/webp"
    assert "max-age=86400" in served.headers["Cache-Control"]
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.format == "WEBP"
    # The app alone does not serve uploads: the web server's media location is what makes them 200.
    assert requests.get(app + links[0], timeout=REQUEST_TIMEOUT).status_code == 404
    # The original is on the disk, and not for visitors.
    original = photo.image.file.name
    assert os.path.exists(os.path.join(settings.MEDIA_ROOT, original))
    assert requests.get(f"{web}/media/{original}", timeout=REQUEST_TIMEOUT).status_code == 404
