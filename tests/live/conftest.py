import datetime

import pytest
from django.utils import timezone

from live.models import LiveSession, Platform
from tests.factories.products import ProductFactory, ShopPageFactory

# A fixed evening in the town: the session runs 20:00–22:00 (Asia/Shanghai) on that day.
STARTS = datetime.datetime(2027, 5, 14, 20, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
ENDS = STARTS + datetime.timedelta(hours=2)
BEFORE = STARTS - datetime.timedelta(minutes=10)
DURING = STARTS + datetime.timedelta(minutes=30)
AFTER = ENDS + datetime.timedelta(minutes=5)


def make_session(producer, *, starts_at=STARTS, ends_at=ENDS, approved=True, **fields):
    fields.setdefault("title", "茶园直播")
    fields.setdefault("platform", Platform.BILIBILI)
    fields.setdefault("stream_url", "https://live.bilibili.com/21452505")
    return LiveSession.objects.create(
        producer=producer, starts_at=starts_at, ends_at=ends_at, approved=approved, **fields
    )


@pytest.fixture
def shop(home_page):
    return ShopPageFactory(parent=home_page)


@pytest.fixture
def product(shop):
    return ProductFactory(stock=20, price_fen=6800)


@pytest.fixture
def session(product):
    return make_session(product.producer)


def now_is(moment):
    return moment.astimezone(datetime.UTC)


def local(moment):
    return timezone.localtime(moment)
