"""Demo step: ticket types on the four festivals (free, paid, one sold out, one not on sale yet),
a few sold to the demo visitor, and the "This month in the town" page with its home-page block."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from orders import basket as basket_service
from orders.checkout import checkout
from orders.models import Basket, OrderLine
from town.demo.base import publish, upsert_page

from .models import EventPage, SeasonPage, TicketType

# (name zh, name en, what is included zh, en, (price in fen, capacity, max per order, sold to the
# demo visitor, on sale from this many days before the start (None: now))), per festival slug.
TICKETS = {
    "lantern-fair": [
        (
            "庙会入场登记",
            "Fair entry (free registration)",
            "庙会全天入场，含花灯长廊与非遗市集。",
            "Entry to the fair all day: the lantern gallery and the craft market.",
            (0, 800, 6, 4, None),
        ),
        (
            "花灯手作体验",
            "Lantern-making workshop",
            "一小时手作课，材料齐全，做好的花灯带回家。",
            "A one-hour class with all materials; take your lantern home.",
            (6800, 24, 4, 2, None),
        ),
        (
            "观灯席",
            "Lantern parade seat",
            "巡游沿线的预留座位，含一杯热米酒。",
            "A reserved seat on the parade route and a cup of warm rice wine.",
            (12000, 4, 4, 4, None),
        ),
    ],
    "peach-blossom-festival": [
        (
            "赏花日票",
            "Day ticket",
            "当日入园赏花，含导览图与一次摆渡车。",
            "Entry to the orchards for the day, with a map and one shuttle ride.",
            (3000, 500, 8, 3, None),
        ),
        (
            "亲子票（一大一小）",
            "Family ticket (one adult, one child)",
            "一位成人和一位儿童当日入园，含儿童桃花手工包。",
            "Entry for one adult and one child for the day, with a blossom craft kit for the child.",
            (4500, 120, 4, 0, None),
        ),
        (
            "桃花夜游",
            "Blossom night walk",
            "讲解员带领的灯光夜游，含桃花茶一杯。",
            "An evening walk under the lit blossoms with a guide and a cup of blossom tea.",
            (8800, 40, 4, 0, 14),
        ),
    ],
    "tea-picking-festival": [
        (
            "开茶节登记",
            "Opening ceremony (free registration)",
            "开茶仪式观礼与茶园市集。",
            "The opening ceremony and the tea-garden market.",
            (0, 300, 4, 2, None),
        ),
        (
            "采茶制茶体验",
            "Pick and roast your own tea",
            "跟茶农采一篮鲜叶、亲手炒制，带走 100 克自制茶。",
            "Pick a basket of leaves with a tea farmer, roast them by hand and take 100 g home.",
            (9800, 30, 4, 0, None),
        ),
    ],
    "harvest-festival": [
        (
            "丰收市集登记",
            "Harvest market (free registration)",
            "丰收市集全天入场，含农事体验区。",
            "Entry to the harvest market all day, with the farm-work corner.",
            (0, 1000, 6, 0, None),
        ),
        (
            "长桌宴",
            "Long-table feast",
            "田间长桌宴一席：八道农家菜和自酿米酒。",
            "A seat at the long table in the fields: eight farmhouse dishes and home-brewed rice wine.",
            (16800, 60, 6, 6, None),
        ),
    ],
}
VISITOR_EMAIL = "visitor@tianyuan.example"


def load_tickets_and_season(ctx):
    count = 0
    for slug, types in TICKETS.items():
        event = ctx.pages.get((slug, "zh")) or EventPage.objects.filter(slug=slug, locale=ctx.zh).first()
        if event is None:
            continue
        english = ctx.pages.get((slug, "en")) or event.get_translation_or_none(ctx.en)
        for sort_order, (zh, en, desc_zh, desc_en, figures) in enumerate(types):
            price, capacity, per_order, sold, opens_days = figures
            sales_start = event.start - datetime.timedelta(days=opens_days) if opens_days else None
            if sales_start and sales_start <= timezone.now():
                sales_start = None
            ticket, _created = TicketType.objects.update_or_create(
                page=event,
                name=zh,
                defaults={
                    "description": desc_zh,
                    "price_fen": price,
                    "capacity": capacity,
                    "max_per_order": per_order,
                    "sales_start": sales_start,
                    "sort_order": sort_order,
                    "locale": ctx.zh,
                },
            )
            if english is not None:
                _translate(ticket, english, ctx.en, en, desc_en)
            _sell(ticket, sold)
            count += 1
        # The pages' latest revisions carry their tickets, so an editor's next publish keeps them
        # (read afresh: a page object made before its tickets holds an empty list of them).
        for page in (event, english):
            if page is not None:
                publish(EventPage.objects.get(pk=page.pk))
    _load_season_page(ctx)
    ctx.log(f"  ticket types: {count}; this month in the town")


def _translate(ticket, english_event, en_locale, name, description):
    """The English row of ``ticket`` on the English event (same translation key): the names an
    English visitor reads; the Chinese row keeps the capacity and the sales (``canonical``)."""
    TicketType.objects.update_or_create(
        translation_key=ticket.translation_key,
        locale=en_locale,
        defaults={
            "page": english_event,
            "name": name,
            "description": description,
            "price_fen": ticket.price_fen,
            "capacity": ticket.capacity,
            "max_per_order": ticket.max_per_order,
            "sales_start": ticket.sales_start,
            "sort_order": ticket.sort_order,
        },
    )


def _sell(ticket, quantity):
    """Sell ``quantity`` to the demo visitor, once (a re-run finds them sold)."""
    if not quantity or ticket.sales_start:
        return
    sold = OrderLine.objects.filter(kind="ticket", object_id=ticket.pk).aggregate(n=Sum("quantity"))["n"]
    if sold:
        return
    visitor = get_user_model().objects.filter(email__iexact=VISITOR_EMAIL).first()
    if visitor is None:
        return
    basket, _created = Basket.objects.get_or_create(user=visitor)
    basket.lines.all().delete()
    basket_service.add_line(basket, {"kind": "ticket", "ticket_type_id": ticket.pk, "quantity": quantity})
    checkout(
        visitor,
        basket,
        contact_name=visitor.display_name or "游客",
        contact_phone="+86 138 0000 0000",
        payment_method="on_site",
        language="zh-hans",
    )


def _load_season_page(ctx):
    titles = {"zh": "本月田园", "en": "This month in the town"}
    intros = {
        "zh": "<p>这个月来田园：有空位的采摘与研学、正在举办的节庆、当季的农家好物。</p>",
        "en": "<p>Plan a trip around the month: tours with free places, festivals and produce in season.</p>",
    }

    def fill(page, lang):
        page.title = titles[lang]
        page.intro = intros[lang]
        page.show_in_menus = False

    upsert_page(ctx, ctx.page("home"), SeasonPage, "this-month", fill)
    for lang in ("zh", "en"):
        home = ctx.page("home", lang)
        home.sections = [
            {
                "type": "this_month",
                "value": {
                    "heading": titles[lang],
                    "season_page": ctx.page("this-month", lang).pk,
                    "items_per_section": 3,
                },
            },
            {
                "type": "town_in_numbers",
                "value": {
                    "heading": {"zh": "田园数字", "en": "Our town in numbers"}[lang],
                    "intro": {
                        "zh": "这一季来了多少客人，农产品卖了多少，收入到了哪些村。",
                        "en": "This season's visitors, their produce and the villages the money reached.",
                    }[lang],
                },
            },
        ]
        publish(home)
