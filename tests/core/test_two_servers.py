"""Two app servers, as two hosts behind a load balancer: two gunicorn processes on two ports with
the production settings, over one PostgreSQL (the test database), one Redis and one S3 server
(moto in server mode). Each server has its own MEDIA_ROOT and its own cache folder, as on two
machines, so an upload left on one machine's disk, or a cache one server keeps to itself, fails here.

- A farmer's photo uploaded through the first server is in the bucket, the second server knows it
  is being prepared, a task worker (a third process) makes its renditions from the bucket, and the
  second server's page links them where the bucket serves them.
- A product page cached through one server (and served from the shared cache by both) is cleared
  by a booking made through the other.
- 50 buyers check out the last units at once, half through each server: exactly the stock is sold,
  everyone else is told it is sold out (409), nobody gets a 500.

Needs PostgreSQL (DATABASE_URL; REQUIRE_POSTGRES=1 makes a missing piece fail instead of skip),
Redis at 127.0.0.1:6379 (database 2, under a key prefix of its own, removed afterwards) and the
dev requirements (moto[server]).
"""

import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client
from PIL import Image

from orders.models import Order
from orders.selectors import claimed_units
from tests.concurrency import baskets_with
from tests.factories.accounts import DEFAULT_PASSWORD, VerifiedUserFactory
from tests.factories.home import set_footer
from tests.factories.products import ProductFactory, ShopPageFactory
from tests.factories.town import VillageFactory
from tests.products.farmer_fixtures import make_farmer, photo_bytes, product_form_data
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

REDIS_URL = "redis://127.0.0.1:6379/2"
BUCKET = "tianyuan-media-test"
# What a load balancer passes on to every app server: the site's own host name.
HOST = "tianyuan.test"
PUBLIC_RENDITIONS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/images/*",
        }
    ],
}
REQUEST_TIMEOUT = 30
BUYERS = 50
STOCK = 7
SOLD_OUT = "Sorry, there is not enough left for this booking."
BUSY = "This is being booked by someone else right now"
BUSY_RETRIES = 3


@dataclass
class Stack:
    a: str
    b: str
    s3: str
    env: dict
    prefix: str
    media_roots: list

    def bucket_keys(self, prefix=""):
        found = s3_client(self.s3).list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
        return [item["Key"] for item in found]


def s3_client(endpoint):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, tmp_path_factory):
    """moto's S3 server and two gunicorn servers (2 workers of 4 threads each), module-long."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means no Redis to test with
        missing(f"no Redis at 127.0.0.1:6379 ({exc.__class__.__name__})", "the two-server test")
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
    except ImportError as exc:
        missing(f"{exc.name} is not installed: pip install -r requirements-dev.txt", "the two-server test")
    if not GUNICORN.exists():
        missing(f"gunicorn not found next to {sys.executable}", "the two-server test")

    tmp = tmp_path_factory.mktemp("two-servers")
    prefix = f"tianyuan-two-servers-{os.getpid()}-{secrets.token_hex(4)}"
    processes = []
    try:
        s3_port = free_port()
        s3 = f"http://127.0.0.1:{s3_port}"
        moto = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        processes.append(moto)
        wait_for(s3, moto, "moto", headers={})
        client = s3_client(s3)
        client.create_bucket(Bucket=BUCKET)
        # As the README's recipe has it: anyone may read the renditions, nothing else.
        client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_RENDITIONS))

        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_", "REDIS_"))}
        base_env.update(
            DJANGO_SETTINGS_MODULE="tests.core.two_servers_settings",
            PYTHONPATH=str(ROOT),
            # The test's own key: sessions the test makes (force_login) are valid on the servers.
            SECRET_KEY=settings.SECRET_KEY,
            ALLOWED_HOSTS=HOST,
            DATABASE_URL=database_url(),
            REDIS_URL=REDIS_URL,
            CACHE_KEY_PREFIX=prefix,
            AWS_STORAGE_BUCKET_NAME=BUCKET,
            AWS_S3_ENDPOINT_URL=s3,
            AWS_S3_REGION_NAME="us-east-1",
            AWS_S3_ADDRESSING_STYLE="path",  # moto on 127.0.0.1: no bucket host names
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            SECURE_SSL_REDIRECT="0",
            SECURE_HSTS_SECONDS="0",
            PAGE_CACHE_ENABLED="1",
            RELEASE=prefix,
        )
        servers, media_roots = [], []
        for name in ("a", "b"):
            port = free_port()
            media_roots.append(tmp / f"media-{name}")
            env = {**base_env, "MEDIA_ROOT": str(media_roots[-1]), "CACHE_DIR": str(tmp / f"cache-{name}")}
            process = start_gunicorn(env, port)
            processes.append(process)
            servers.append((f"http://127.0.0.1:{port}", process))
        for url, process in servers:
            wait_for(url + "/robots.txt", process, f"gunicorn on {url}", headers={"Host": HOST})
        worker_env = {**base_env, "MEDIA_ROOT": str(tmp / "media-worker"), "CACHE_DIR": str(tmp / "cache-w")}
        yield Stack(servers[0][0], servers[1][0], s3, worker_env, prefix, media_roots)
    finally:
        stop(processes)
        with django_db_blocker.unblock():
            wait_for_servers_to_disconnect()
        _delete_keys(prefix)
        shutil.rmtree(tmp, ignore_errors=True)


def _delete_keys(prefix):
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        client.unlink(*keys)


@pytest.fixture
def log_in(stack, settings):
    """Sessions made here the way the servers keep them (in Redis, written through to the
    database): ``log_in(user)`` gives the session cookie's value."""
    settings.CACHES = {
        **settings.CACHES,
        "two_servers": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": stack.prefix,
        },
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "two_servers"

    def log_in(user):
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    return log_in


@pytest.fixture
def shop(home_page):
    # The site's settings exist, as on any site that has served a page: made by the first page
    # served instead, they would be a content change that clears the pages cached until then.
    set_footer()
    return ShopPageFactory(parent=home_page)


def browser(session_id=None):
    """A visitor's HTTP client: the site's host name on every request, as the load balancer sends."""
    http = requests.Session()
    http.headers["Host"] = HOST
    if session_id:
        http.cookies.set(settings.SESSION_COOKIE_NAME, session_id)
    return http


def get(http, url, **kwargs):
    return http.get(url, timeout=REQUEST_TIMEOUT, allow_redirects=False, **kwargs)


def post(http, url, data, **kwargs):
    """POST with the CSRF cookie the client holds (a page got it first) as the form's token."""
    data = {**data, "csrfmiddlewaretoken": http.cookies.get(settings.CSRF_COOKIE_NAME)}
    return http.post(url, data=data, timeout=REQUEST_TIMEOUT, allow_redirects=False, **kwargs)


class _Inputs(HTMLParser):
    """The values of a page's inputs by name (first one wins; a radio button only when checked)."""

    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag != "input" or not attrs.get("name"):
            return
        if attrs.get("type") in ("radio", "checkbox") and "checked" not in attrs:
            return
        self.values.setdefault(attrs["name"], attrs.get("value") or "")


def inputs(html):
    parser = _Inputs()
    parser.feed(html)
    return parser.values


def checkout_form(http, base):
    """The visitor opens the checkout page (English, to read the messages as written)."""
    page = get(http, f"{base}/en/checkout/")
    assert page.status_code == 200, page.status_code
    found = inputs(page.text)
    return {
        "token": found["token"],
        "shown_total_fen": found.get("shown_total_fen", ""),
        "payment_method": found.get("payment_method") or "on_site",
        "contact_name": "李华",
        "contact_phone": "13800000000",
    }


# One test, in three parts on the same servers: pytest-xdist hands a module's tests to whichever
# worker is free, and each worker would start servers of its own for its share of them.


def test_two_app_servers_share_uploads_cached_pages_and_stock(stack, shop, log_in):
    photo_uploaded_through_one_server_is_served_through_the_other(stack)
    page_cached_through_one_server_is_cleared_by_a_booking_through_the_other(stack, log_in)
    fifty_buyers_over_two_servers_buy_exactly_the_stock(stack, log_in)


# --- media -------------------------------------------------------------------------------------


def photo_uploaded_through_one_server_is_served_through_the_other(stack):
    farmer = make_farmer(village=VillageFactory(name="桃花坞"), display_name="王大姐")

    # The farmer logs in and sends a photo through server A.
    on_a = browser()
    get(on_a, f"{stack.a}/accounts/login/")
    credentials = {"login": farmer.user.email, "password": DEFAULT_PASSWORD}
    login = post(on_a, f"{stack.a}/accounts/login/", credentials)
    assert login.status_code == 302, login.text[:500]
    get(on_a, f"{stack.a}/farmer/products/new/")
    photo = ("strawberries.jpg", photo_bytes(size=(640, 480)), "image/jpeg")
    data = {**product_form_data(), "csrfmiddlewaretoken": on_a.cookies.get(settings.CSRF_COOKIE_NAME)}
    made = on_a.post(
        f"{stack.a}/farmer/products/new/",
        data=data,
        files={"photos": photo},
        timeout=REQUEST_TIMEOUT,
        allow_redirects=False,
    )
    assert made.status_code == 302, made.text[:500]
    edit_path = made.headers["Location"]

    # The original is in the bucket; no server wrote it to its own disk.
    originals = stack.bucket_keys("original_images/")
    assert len(originals) == 1 and originals[0].endswith(".jpg"), originals
    # Private: the original (and its metadata) reaches visitors only as renditions.
    assert requests.get(f"{stack.s3}/{BUCKET}/{originals[0]}", timeout=REQUEST_TIMEOUT).status_code == 403
    assert not any(root.exists() and any(root.rglob("*.*")) for root in stack.media_roots)

    # Server B, with the session server A started (shared through Redis): the photo is being
    # prepared (the mark server A left is in the shared cache), no rendition made on the request.
    on_b = browser(on_a.cookies.get(settings.SESSION_COOKIE_NAME))
    pending = get(on_b, stack.b + edit_path)
    assert pending.status_code == 200, pending.status_code
    assert 'class="photo-pending"' in pending.text
    assert stack.bucket_keys("images/") == []

    # The task worker, a third process, makes the renditions from the bucket's original.
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=stack.env,
        check=True,
        timeout=120,
        stdout=subprocess.DEVNULL,
    )
    assert stack.bucket_keys("images/")

    # Server B's page now links the rendition where the bucket serves it.
    ready = get(on_b, stack.b + edit_path)
    assert 'class="photo-pending"' not in ready.text
    links = re.findall(rf'src="({re.escape(stack.s3)}/{BUCKET}/images/[^"]+\.webp)"', ready.text)
    assert links, ready.text[:2000]
    served = requests.get(links[0], timeout=REQUEST_TIMEOUT)
    assert served.status_code == 200
    assert served.headers["Cache-Control"] == "max-age=86400"
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.format == "WEBP"
        assert image.size == (160, 160)  # the dashboard's fill-160x160


# --- the page cache ----------------------------------------------------------------------------


def only_left(html):
    """The product page's "Only N left" (仅剩 N) badge, as a number."""
    found = re.search(r"仅剩 (\d+)", html)
    return int(found.group(1)) if found else None


def page_cached_through_one_server_is_cleared_by_a_booking_through_the_other(stack, log_in):
    product = ProductFactory(name="奶油草莓", stock=3, price_fen=3500)
    url = product.get_absolute_url()

    visitor = browser()  # anonymous: the page cache answers
    first = get(visitor, stack.a + url)
    assert first.status_code == 200, first.status_code
    assert (first.headers.get("X-Page-Cache"), only_left(first.text)) == ("miss", 3)
    again = get(browser(), stack.a + url)
    assert (again.headers.get("X-Page-Cache"), only_left(again.text)) == ("hit", 3)
    # Stored once, for both servers: the other one serves it from the shared cache.
    elsewhere = get(browser(), stack.b + url)
    assert (elsewhere.headers.get("X-Page-Cache"), only_left(elsewhere.text)) == ("hit", 3)

    # A logged-in visitor books one through server B: the basket, then the checkout.
    user = VerifiedUserFactory()
    buyer = browser(log_in(user))
    page = get(buyer, stack.b + url)
    assert "X-Page-Cache" not in page.headers  # a visitor with a session gets their own page
    added = post(buyer, stack.b + url, {"quantity": "1", "delivery": "pickup"})
    assert added.status_code == 302, added.text[:500]
    booked = post(buyer, f"{stack.b}/en/checkout/", checkout_form(buyer, stack.b))
    assert booked.status_code == 302, booked.text[:500]
    assert Order.objects.filter(user=user).count() == 1

    # Server A no longer serves the page it stored: it shows the stock after the booking.
    after = get(browser(), stack.a + url)
    assert (after.headers.get("X-Page-Cache"), only_left(after.text)) == ("miss", 2)


# --- the checkout race -------------------------------------------------------------------------


def fifty_buyers_over_two_servers_buy_exactly_the_stock(stack, log_in):
    product = ProductFactory(name="高山土鸡蛋", stock=STOCK)
    line = {"kind": "product", "product_id": product.pk, "quantity": 1, "delivery": "pickup"}
    baskets = baskets_with(line, BUYERS)
    buyers = []
    for number, basket in enumerate(baskets):
        http = browser(log_in(basket.user))
        buyers.append((http, stack.a if number % 2 == 0 else stack.b))

    barrier = threading.Barrier(BUYERS)
    outcomes, lock = [], threading.Lock()

    def buy(http, base):
        try:
            form = checkout_form(http, base)
            # A fresh connection for the POST: the one kept alive since the GET may have been
            # closed by the server while the others were still getting their pages.
            http.close()
            barrier.wait(timeout=120)
            response = post(http, f"{base}/en/checkout/", form)
            for _retry in range(BUSY_RETRIES):
                # "Being booked by someone else, try again" (the row lock's wait ran out on a
                # busy machine): the visitor tries again, as the page asks.
                if BUSY not in response.text:
                    break
                response = post(http, f"{base}/en/checkout/", checkout_form(http, base))
            outcome = (base, response.status_code, response.text)
        except Exception as exc:  # noqa: BLE001 - a broken thread fails the test visibly
            outcome = (base, repr(exc), "")
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=buy, args=buyer) for buyer in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    statuses = Counter(status for _base, status, _text in outcomes)
    assert statuses == {302: STOCK, 409: BUYERS - STOCK}, statuses
    assert Counter(base for base, _status, _text in outcomes) == {stack.a: BUYERS // 2, stack.b: BUYERS // 2}
    for _base, status, text in outcomes:
        if status == 409:
            assert SOLD_OUT in text, text[:1000]
    assert Order.objects.filter(lines__kind="product", lines__object_id=product.pk).count() == STOCK
    assert claimed_units("product", [product.pk])[product.pk] == STOCK
