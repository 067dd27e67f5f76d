"""Demo experiences (tours) for the demo town: six bookable experiences under the attractions
index — strawberry and peach picking, a tea-picking study tour, a farming day, a She bamboo
weaving workshop and a night at the starry campsite — with weekly schedules, their slots for the
next 90 days, and some seats already sold (reservations of the demo visitor, confirmed through
the reservation core).

``load_experiences(ctx)`` is a step of ``python manage.py load_demo`` (home/demo/steps.py), after
the attractions. Idempotent: pages are found again by slug, slot generation makes nothing twice,
and bookings are made only on experiences where the visitor has none yet.
"""

import datetime

from django.contrib.auth import get_user_model

from orders.exceptions import ReservationError
from orders.models import Reservation, ReservationKind
from orders.reservations import Claim, confirm, reserve
from town.demo.base import t, upsert_page

from .models import ExperienceClosedDate, ExperiencePage, ExperienceSchedule
from .schedules import generate_slots

VISITOR_EMAIL = "visitor@tianyuan.example"
WEEKEND = {"monday": False, "tuesday": False, "wednesday": False, "thursday": False, "friday": False}

EXPERIENCES = [
    {
        "slug": "strawberry-picking",
        "kind": "picking",
        "theme": "farm",
        "meeting_point": "peach-picking-garden",
        "title": t("草莓采摘", "Strawberry picking"),
        "intro": t(
            "走进桃花坞的草莓大棚，跟着果农学挑熟果，亲手采摘一篮香甜的草莓带回家。",
            "Step into the strawberry greenhouses of Peach Hollow, learn from the growers how to "
            "pick ripe strawberries and take a basket of sweet fruit home.",
        ),
        "body": t(
            "<p>每场约两小时：先听果农讲草莓的种植，再进大棚采摘。每位成人可带走一斤草莓，"
            "多采的按园内价格称重。三岁以下儿童免费。</p>",
            "<p>About two hours: the grower explains how strawberries are grown, then you pick in "
            "the greenhouse. Each adult takes home 500 g of strawberries; more is weighed at the "
            "garden's price. Children under three come free.</p>",
        ),
        "bring": t("防晒帽、软底鞋。篮子由果园提供。", "A sun hat and soft shoes. Baskets are provided."),
        "duration": 120,
        "prices": (6800, 3800),
        "free_under": 3,
        "ages": (0, None),
        "capacity": 16,
        "policy": "flexible",
        "featured": True,
        "schedules": [{"start_times": "09:00, 14:00"}],
    },
    {
        "slug": "tea-picking-study-tour",
        "kind": "tea_study",
        "theme": "tea",
        "meeting_point": "tea-hill-study-base",
        "title": t("采茶体验", "Tea picking"),
        "intro": t(
            "跟着茶农上茶山采一芽一叶，再到研学基地学习杀青、揉捻，带走自己炒的一小包茶。",
            "Pick tea leaves (one bud, one leaf) with a tea farmer on the hill, then learn to fix "
            "and roll them at the study base and take home a small bag of tea you made yourself.",
        ),
        "body": t(
            "<p>适合八岁以上的孩子和大人。全程约三个半小时，含茶山徒步约两公里。</p>",
            "<p>For children from eight and adults. About three and a half hours, including a 2 km "
            "walk on the tea hill.</p>",
        ),
        "bring": t("长袖衣服、雨具、饮用水。", "Long sleeves, rain gear and drinking water."),
        "duration": 210,
        "prices": (12800, 8800),
        "free_under": 0,
        "ages": (8, None),
        "capacity": 20,
        "policy": "moderate",
        "featured": True,
        "months": [3, 4, 5, 6, 7, 8, 9, 10],  # from the spring buds to the autumn tea
        "schedules": [{"start_times": "08:30"}],
    },
    {
        "slug": "peach-picking",
        "kind": "picking",
        "theme": "peach",
        "meeting_point": "peach-picking-garden",
        "title": t("水蜜桃采摘", "Honey peach picking"),
        "intro": t(
            "在桃花坞的果园里摘水蜜桃，现摘现尝，农户直销。",
            "Pick honey peaches in the orchards of Peach Hollow, taste them on the spot and buy "
            "straight from the growers.",
        ),
        "body": t(
            "<p>周末开放，每场九十分钟，含每人两个桃子。</p>",
            "<p>Open at weekends; ninety minutes, two peaches per person included.</p>",
        ),
        "bring": t("防晒用品。", "Sun protection."),
        "duration": 90,
        "prices": (5000, 2500),
        "free_under": 4,
        "ages": (0, None),
        "capacity": 24,
        "policy": "flexible",
        "featured": False,
        # The orchard's own page says 六月至八月: no slots, and no "This month" card, outside it.
        "months": [6, 7, 8],
        "schedules": [{"start_times": "09:30, 15:00", **WEEKEND}],
    },
    {
        "slug": "organic-farming-day",
        "kind": "farming_study",
        "theme": "harvest",
        "meeting_point": "tea-hill-organic-garden",
        "title": t("有机农耕研学", "Organic farming day"),
        "intro": t(
            "在有机菜园里翻土、播种、做堆肥，了解不用农药的种植方法，午饭吃自己摘的菜。",
            "Dig, sow and make compost in the organic garden, learn how vegetables grow without "
            "pesticides, and eat what you picked for lunch.",
        ),
        "body": t(
            "<p>六至十四岁的孩子由家长陪同参加。含农家午饭。</p>",
            "<p>For children aged 6 to 14 with a parent. A farm lunch is included.</p>",
        ),
        "bring": t("可以弄脏的衣服、雨靴。", "Clothes that may get dirty, rubber boots."),
        "duration": 300,
        "prices": (9800, 9800),
        "free_under": 0,
        "ages": (6, 14),
        "capacity": 12,
        "policy": "moderate",
        "featured": False,
        "schedules": [{"start_times": "09:00", **WEEKEND}],
    },
    {
        "slug": "she-bamboo-weaving",
        "kind": "craft",
        "theme": "ethnic",
        "meeting_point": "she-song-hall",
        "title": t("畲族竹编手作", "She bamboo weaving workshop"),
        "intro": t(
            "跟畲族老师傅学竹编，编一只小竹篮或一把竹扇带回家。",
            "Learn bamboo weaving from a She craftsman and make a small basket or a fan to take home.",
        ),
        "body": t(
            "<p>每场两小时，材料费已含在票价里。</p>",
            "<p>Two hours; materials are included in the price.</p>",
        ),
        "bring": t("无需准备。", "Nothing needed."),
        "duration": 120,
        "prices": (8800, 6800),
        "free_under": 0,
        "ages": (7, None),
        "capacity": 10,
        "policy": "strict",
        "featured": False,
        "schedules": [
            {"start_times": "10:00, 15:00", "monday": False, "tuesday": False},
        ],
    },
    {
        "slug": "starry-campsite-night",
        "kind": "camping",
        "theme": "camping",
        "meeting_point": "xikou-starry-campsite",
        "title": t("溪口星空露营", "A night at Xikou starry campsite"),
        "intro": t(
            "在溪口河滩边搭帐篷过夜：篝火、观星、清晨的溪水声。帐篷和睡袋可租用。",
            "Pitch a tent on the river beach at Xikou for a night: campfire, stargazing and the "
            "sound of the stream at dawn. Tents and sleeping bags can be hired.",
        ),
        "body": t(
            "<p>下午四点入营，次日上午十点前离营。按人按晚收费，每个营位最多四人。</p>",
            "<p>Arrive from 4 pm, leave by 10 am the next day. Priced per person and night; up to "
            "four people share a pitch.</p>",
        ),
        "bring": t("保暖衣物、头灯、驱蚊液。", "Warm clothes, a head torch and insect repellent."),
        "duration": 18 * 60,
        "prices": (6000, 3000),
        "free_under": 3,
        "ages": (0, None),
        "capacity": 12,
        "policy": "moderate",
        "featured": True,
        "months": [4, 5, 6, 7, 8, 9, 10],  # no nights on the river beach in winter
        "schedules": [{"start_times": "16:00", "monday": False, "tuesday": False, "wednesday": False}],
    },
]


def load_experiences(ctx):
    """Six experiences with schedules, their slots for the next 90 days and a few seats sold."""
    index = ctx.page("attractions")
    pages = []
    for item in EXPERIENCES:
        image = ctx.image(f"experience-{item['slug']}", item["theme"], item["title"])

        def fill(page, lang, item=item, image=image):
            page.title = item["title"][lang]
            page.kind = item["kind"]
            page.intro = item["intro"][lang]
            page.search_description = item["intro"][lang]
            page.body = [{"type": "paragraph", "value": item["body"][lang]}]
            page.image = image
            page.what_to_bring = item["bring"][lang]
            page.duration_minutes = item["duration"]
            page.meeting_point = ctx.page(item["meeting_point"], lang)
            page.price_adult_fen, page.price_child_fen = item["prices"]
            page.free_under_age = item["free_under"]
            page.min_age, page.max_age = item["ages"]
            page.capacity = item["capacity"]
            page.people_per_pitch = 4
            page.cancellation_policy = item["policy"]
            page.featured = item["featured"]
            page.months_in_season = item.get("months", [])  # none: all year (greenhouses, workshops)
            page.schedules = [
                ExperienceSchedule(sort_order=n, **schedule) for n, schedule in enumerate(item["schedules"])
            ]
            # No tours on the first day of the Spring Festival holiday or National Day.
            page.closed_dates = [
                ExperienceClosedDate(date=day, note=note[lang], sort_order=n)
                for n, (day, note) in enumerate(_closed_days(ctx))
            ]

        zh, _en = upsert_page(ctx, index, ExperiencePage, item["slug"], fill)
        generate_slots(zh)
        pages.append(zh)
    sold = _sell_some_seats(pages)
    ctx.log(f"  experiences: {len(pages)}, slots: {sum(p.slots.count() for p in pages)}, seats sold: {sold}")


def _closed_days(ctx):
    """National Day (the next 1 October): the guides have the day off."""
    day = datetime.date(ctx.today.year, 10, 1)
    if day < ctx.today:
        day = datetime.date(ctx.today.year + 1, 10, 1)
    return [(day, t("国庆节", "National Day"))]


def _sell_some_seats(pages):
    """Book a few seats on the first slots of each experience for the demo visitor (once)."""
    visitor = get_user_model().objects.filter(email__iexact=VISITOR_EMAIL).first()
    sold = 0
    for number, page in enumerate(pages):
        slots = list(page.slots.order_by("starts_at")[:8])
        if not slots:
            continue
        already = Reservation.objects.filter(
            kind=ReservationKind.TOUR, object_id__in=[s.pk for s in slots], holder=visitor
        )
        if visitor is not None and already.exists():
            continue
        for offset, slot in enumerate(slots[::2]):
            capacity = slot.effective_capacity
            # Most of the first slot, a few seats on the next ones: some nearly full, some open.
            quantity = max(1, capacity - 2) if offset == 0 and number % 2 == 0 else 2 + offset
            try:
                confirm(
                    reserve([Claim(ReservationKind.TOUR, slot.pk, min(quantity, capacity))], holder=visitor)
                )
            except ReservationError:
                continue
            sold += min(quantity, capacity)
    return sold
