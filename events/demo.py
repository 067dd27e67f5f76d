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

# (name zh, name en, price in fen, capacity, max per order, sold to the demo visitor, on sale from
# this many days before the start (None: now)), per festival slug.
TICKETS = {
    "lantern-fair": [
        ("庙会入场登记", "Fair entry (free registration)", 0, 800, 6, 4, None),
        ("花灯手作体验", "Lantern-making workshop", 6800, 24, 4, 2, None),
        ("观灯席", "Lantern parade seat", 12000, 4, 4, 4, None),
    ],
    "peach-blossom-festival": [
        ("赏花日票", "Day ticket", 3000, 500, 8, 3, None),
        ("亲子票（一大一小）", "Family ticket (one adult, one child)", 4500, 120, 4, 0, None),
        ("桃花夜游", "Blossom night walk", 8800, 40, 4, 0, 14),
    ],
    "tea-picking-festival": [
        ("开茶节登记", "Opening ceremony (free registration)", 0, 300, 4, 2, None),
        ("采茶制茶体验", "Pick and roast your own tea", 9800, 30, 4, 0, None),
    ],
    "harvest-festival": [
        ("丰收市集登记", "Harvest market (free registration)", 0, 1000, 6, 0, None),
        ("长桌宴", "Long-table feast", 16800, 60, 6, 6, None),
    ],
}
VISITOR_EMAIL = "visitor@tianyuan.example"


def load_tickets_and_season(ctx):
    count = 0
    for slug, types in TICKETS.items():
        event = ctx.pages.get((slug, "zh")) or EventPage.objects.filter(slug=slug, locale=ctx.zh).first()
        if event is None:
            continue
        for sort_order, (zh, en, price, capacity, per_order, sold, opens_days) in enumerate(types):
            sales_start = event.start - datetime.timedelta(days=opens_days) if opens_days else None
            if sales_start and sales_start <= timezone.now():
                sales_start = None
            ticket, _created = TicketType.objects.update_or_create(
                page=event,
                name=zh,
                defaults={
                    "description": en,
                    "price_fen": price,
                    "capacity": capacity,
                    "max_per_order": per_order,
                    "sales_start": sales_start,
                    "sort_order": sort_order,
                    "locale": ctx.zh,
                },
            )
            _sell(ticket, sold)
            count += 1
    _load_season_page(ctx)
    ctx.log(f"  ticket types: {count}; this month in the town")


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
