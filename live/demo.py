"""Demo step: live selling (直播). One session live now (relative to when the demo is loaded)
with three products pinned at a session price, one tomorrow evening, and one from last week
with its Bilibili replay. A step of ``load_demo`` (home/demo/steps.py) after the shop.

Idempotent: sessions are found again by title; the live one is moved to "now" again and keeps
its pins (their units stay set aside until it ends)."""

from datetime import timedelta

from django.utils import timezone

from products.models import Producer, Product

from .models import LiveSession, PinnedProduct, Platform
from .services import LiveError, pin_product

FARMER = "farmer@tianyuan.example"


def _session(title, producer, **fields):
    session, _created = LiveSession.objects.update_or_create(
        title=title, producer=producer, defaults={**fields, "approved": True}
    )
    return session


def load_live(ctx):
    producer = Producer.objects.filter(user__email=FARMER).first()
    if producer is None:
        ctx.log("  live: no demo farmer, skipped")
        return
    products = list(Product.objects.filter(producer=producer, locale=ctx.zh).live().order_by("pk")[:3])
    now = timezone.now().replace(second=0, microsecond=0)
    live = _session(
        "明前茶园直播：现采现炒",
        producer,
        platform=Platform.BILIBILI,
        stream_url="https://live.bilibili.com/21452505",
        replay_url="",
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=2),
        description="汪师傅在茶山上现场采茶、炒茶，直播期间下单享直播价，数量有限。",
    )
    _session(
        "周末山货直播：笋干、土蜂蜜",
        producer,
        platform=Platform.DOUYIN,
        stream_url="https://live.douyin.com/618827365",
        replay_url="",
        starts_at=now + timedelta(days=1, hours=2),
        ends_at=now + timedelta(days=1, hours=4),
        description="明晚在抖音直播间，带大家看看山里的笋干怎么晒。",
    )
    past = _session(
        "春茶开采第一天",
        producer,
        platform=Platform.BILIBILI,
        stream_url="https://live.bilibili.com/21452505",
        replay_url="https://www.bilibili.com/video/BV1GJ411x7h7",
        starts_at=now - timedelta(days=7, hours=2),
        ends_at=now - timedelta(days=7),
        description="今年春茶开采第一天的直播回放。",
    )
    pinned = 0
    for index, product in enumerate(products):
        price = max(1, product.price_fen * 85 // 100)
        if not live.pins.filter(product=product).exists():
            try:
                pin_product(live, product, price_fen=price, stock=5 + 5 * index)
                pinned += 1
            except LiveError as exc:
                ctx.log(f"  live: {product} not pinned: {exc.message}")
        # The replay's pins sold nothing and set nothing aside any more: shown for the record.
        PinnedProduct.objects.get_or_create(
            session=past, product=product, defaults={"price_fen": price, "stock": 10, "sort_order": index}
        )
    ctx.log(f"  live: 3 sessions (one live now, one tomorrow, one replay), {pinned} products pinned")
