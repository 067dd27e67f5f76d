"""Demo homestays for the demo town: ten homestays across the villages, each with its own host,
room types (Chinese with English translations), weekend and holiday prices for the next twelve
months, a few closed nights and some nights already booked by the demo visitor.

``load_homestays(ctx)`` is a step of ``python manage.py load_demo`` (home/demo/steps.py);
``load_demo_homestays()`` runs it alone on a database where the town is already loaded. Both are
idempotent: pages, room types and users are found again by slug, position and e-mail; the demo
rate rules are replaced; bookings are made only where the visitor has none yet.
"""

import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import HOSTS
from orders.exceptions import ReservationError
from orders.models import Reservation, ReservationKind
from orders.reservations import Claim, confirm, reserve
from town.demo.base import DEMO_PASSWORD, DemoContext, ensure_locales, home_page, t, upsert_page
from town.demo.blocks import stream
from town.models import Village

from .models import (
    Amenity,
    HomestayGalleryImage,
    HomestayIndexPage,
    HomestayPage,
    RateRuleKind,
    RoomRateRule,
    RoomType,
)
from .services import ensure_review_workflow, grant_host_access

INDEX_SLUG = "homestays"
VISITOR_EMAIL = "visitor@tianyuan.example"

INDEX = {
    "title": t("民宿", "Homestays"),
    "intro": t(
        "住进村里：白墙黛瓦的徽派老宅、茶山上的木屋、畲族山寨的吊脚楼，主人都是本村人。",
        "Stay in the villages: whitewashed Huizhou houses, wooden lodges on the tea hills and She "
        "stilt houses, each kept by a family of the village.",
    ),
}

# Spring Festival (春节) by year: the first day of the lunar year, as the `holidays` package's Chinese
# calendar has it. A demo loaded past the table's last year has no Spring Festival prices.
SPRING_FESTIVAL = {
    2025: datetime.date(2025, 1, 29),
    2026: datetime.date(2026, 2, 17),
    2027: datetime.date(2027, 2, 6),
    2028: datetime.date(2028, 1, 26),
    2029: datetime.date(2029, 2, 13),
    2030: datetime.date(2030, 2, 3),
    2031: datetime.date(2031, 1, 23),
    2032: datetime.date(2032, 2, 11),
    2033: datetime.date(2033, 1, 31),
    2034: datetime.date(2034, 2, 19),
    2035: datetime.date(2035, 2, 8),
    2036: datetime.date(2036, 1, 28),
    2037: datetime.date(2037, 2, 15),
    2038: datetime.date(2038, 2, 4),
    2039: datetime.date(2039, 1, 24),
    2040: datetime.date(2040, 2, 12),
    2041: datetime.date(2041, 2, 1),
    2042: datetime.date(2042, 1, 22),
    2043: datetime.date(2043, 2, 10),
    2044: datetime.date(2044, 1, 30),
    2045: datetime.date(2045, 2, 17),
    2046: datetime.date(2046, 2, 6),
    2047: datetime.date(2047, 1, 26),
    2048: datetime.date(2048, 2, 14),
    2049: datetime.date(2049, 2, 2),
    2050: datetime.date(2050, 1, 23),
}


def _room(zh, en, desc_zh, desc_en, beds_zh, beds_en, guests, units, price_yuan, weekend_yuan=None, **extra):
    return {
        "name": t(zh, en),
        "description": t(desc_zh, desc_en),
        "beds": t(beds_zh, beds_en),
        "max_guests": guests,
        "units": units,
        "base_price_fen": price_yuan * 100,
        "weekend_price_fen": weekend_yuan * 100 if weekend_yuan else None,
        **extra,
    }


HOMESTAYS = [
    {
        "slug": "shiban-old-house",
        "village": "shibanjie",
        "theme": "village",
        "title": t("石板老宅", "The Flagstone Old House"),
        "summary": t(
            "三百年的徽派老宅，天井、木雕、石板街就在门外。",
            "A three-hundred-year-old Huizhou house with a skywell and wood carvings, "
            "right on the flagstone street.",
        ),
        "story": t(
            "<p>汪家老宅建于清乾隆年间，2019 年由汪家第十一代修缮成民宿。早上在天井里喝一杯云雾茶，"
            "晚上去街口的茶馆听黄梅戏。</p>",
            "<p>The Wang family house was built under the Qianlong emperor and restored in 2019 by the "
            "eleventh generation. Take your morning tea in the skywell and an evening of Huangmei opera "
            "at the tea house by the gate.</p>",
        ),
        "host": ("汪秀英", "Wang Xiuying"),
        "amenities": ["wifi", "breakfast", "air_conditioning", "heating", "private_bathroom"],
        "policy": "moderate",
        "rooms": [
            _room(
                "天井大床房",
                "Skywell Double",
                "推窗就是天井，老木床换了新床垫。",
                "Opens onto the skywell; an old carved bed with a new mattress.",
                "1 张 1.8 米大床",
                "1 double bed (1.8 m)",
                2,
                2,
                388,
                468,
            ),
            _room(
                "阁楼家庭房",
                "Attic Family Room",
                "木梁阁楼，适合一家三口。",
                "A beamed attic room for a family of three.",
                "1 张大床 + 1 张单人床",
                "1 double and 1 single bed",
                3,
                1,
                528,
                628,
            ),
        ],
    },
    {
        "slug": "teahouse-inn",
        "village": "shibanjie",
        "theme": "lantern",
        "title": t("茶馆客栈", "Tea House Inn"),
        "summary": t(
            "楼下是老茶馆，楼上四间小客房，价格实在。",
            "Four plain rooms above the old tea house, at an honest price.",
        ),
        "story": t(
            "<p>楼下的茶馆开了四十年，楼上的客房干净简单，适合背包客和骑行的朋友。</p>",
            "<p>The tea house downstairs has served for forty years; the rooms upstairs are simple and "
            "clean, made for backpackers and cyclists.</p>",
        ),
        "host": ("程大海", "Cheng Dahai"),
        "amenities": ["wifi", "heating"],
        "policy": "flexible",
        "rooms": [
            _room(
                "临街双床房",
                "Street-side Twin",
                "窗外是石板街的灯笼。",
                "Looks out on the lanterns of the street.",
                "2 张单人床",
                "2 single beds",
                2,
                3,
                180,
                220,
            ),
            _room(
                "安静大床房",
                "Quiet Double",
                "朝后院，安静好睡。",
                "Faces the back yard: quiet nights.",
                "1 张大床",
                "1 double bed",
                2,
                1,
                198,
                238,
            ),
        ],
    },
    {
        "slug": "peach-garden-lodge",
        "village": "taohuawu",
        "theme": "peach",
        "title": t("桃园小筑", "Peach Garden Lodge"),
        "summary": t(
            "住在桃林里，三月看花，七月摘桃。",
            "Sleep in the orchard: blossom in March, peaches to pick in July.",
        ),
        "story": t(
            "<p>主人家有二十亩桃园，住客可以免费采摘一篮桃子（七月）。院子里可以烧烤。</p>",
            "<p>The family keeps twenty mu of peach trees; guests pick a basket for free in July. "
            "There is a barbecue in the garden.</p>",
        ),
        "host": ("李春桃", "Li Chuntao"),
        "amenities": ["wifi", "parking", "garden", "farm_activities", "kitchen"],
        "policy": "moderate",
        "rooms": [
            _room(
                "桃林景观房",
                "Orchard View Double",
                "落地窗正对桃林。",
                "Floor-to-ceiling windows onto the orchard.",
                "1 张大床",
                "1 double bed",
                2,
                2,
                328,
                428,
            ),
            _room(
                "花园家庭套房",
                "Garden Family Suite",
                "两间卧室带小客厅，门口就是花园。",
                "Two bedrooms and a small sitting room opening onto the garden.",
                "2 张大床",
                "2 double beds",
                4,
                1,
                688,
                788,
            ),
            _room(
                "经济双床房",
                "Budget Twin",
                "朝北的小房间，价格实惠。",
                "A small north-facing room at a lower price.",
                "2 张单人床",
                "2 single beds",
                2,
                1,
                228,
            ),
        ],
    },
    {
        "slug": "blossom-valley-house",
        "village": "taohuawu",
        "theme": "harvest",
        "title": t("花谷人家", "Blossom Valley House"),
        "summary": t(
            "山坳里的农家小院，主人做一桌好菜。",
            "A farmhouse in the fold of the valley, where the host cooks a fine table.",
        ),
        "story": t(
            "<p>女主人的笋干烧肉和桃花酒是村里一绝。晚饭 60 元/人，需提前一天预订。</p>",
            "<p>The host's braised pork with dried bamboo shoots and her peach-blossom wine are famous "
            "in the village. Dinner ¥60 per person, booked a day ahead.</p>",
        ),
        "host": ("周美华", "Zhou Meihua"),
        "amenities": ["parking", "breakfast", "garden", "pets_allowed"],
        "policy": "flexible",
        "rooms": [
            _room(
                "农家大床房",
                "Farmhouse Double",
                "木地板、土布床单。",
                "Wooden floors and homespun sheets.",
                "1 张大床",
                "1 double bed",
                2,
                2,
                238,
                298,
            ),
            _room(
                "农家三人间",
                "Farmhouse Triple",
                "适合朋友结伴。",
                "For friends travelling together.",
                "3 张单人床",
                "3 single beds",
                3,
                1,
                318,
                378,
            ),
        ],
    },
    {
        "slug": "cloud-tea-lodge",
        "village": "chashan",
        "theme": "tea",
        "title": t("云雾茶舍", "Cloud Tea Lodge"),
        "summary": t(
            "海拔 800 米的茶山木屋，推窗就是云海。",
            "Wooden lodges among the tea rows at 800 m, above a sea of cloud.",
        ),
        "story": t(
            "<p>清明前后可以跟主人上山采茶、学炒茶。山上夜里凉，四季都备有电热毯。</p>",
            "<p>Around Qingming, pick tea with the host and learn to roast it. Nights on the hill are "
            "cool: every bed has an electric blanket all year.</p>",
        ),
        "host": ("汪建华", "Wang Jianhua"),
        "amenities": ["wifi", "parking", "breakfast", "heating", "farm_activities", "private_bathroom"],
        "policy": "strict",
        "rooms": [
            _room(
                "云海木屋",
                "Cloud-view Cabin",
                "独栋木屋，露台看日出云海。",
                "A cabin of its own with a deck for sunrise over the clouds.",
                "1 张 2 米大床",
                "1 king bed",
                2,
                2,
                680,
                880,
                min_nights=1,
            ),
            _room(
                "茶垄双床房",
                "Tea Row Twin",
                "主楼二层，窗外是茶垄。",
                "On the first floor of the main house, over the tea rows.",
                "2 张单人床",
                "2 single beds",
                2,
                2,
                420,
                520,
            ),
            _room(
                "亲子阁楼",
                "Family Loft",
                "带滑梯的阁楼，孩子最爱。",
                "A loft with a slide, the children's favourite.",
                "1 张大床 + 上下铺",
                "1 double bed and bunk beds",
                4,
                1,
                780,
                880,
            ),
        ],
    },
    {
        "slug": "tea-farmer-home",
        "village": "chashan",
        "theme": "mountain",
        "title": t("茶农之家", "Tea Farmer's Home"),
        "summary": t(
            "住在制茶人家，早饭是自家的茶叶蛋和米粿。",
            "Stay with a tea-making family; breakfast is tea eggs and rice cakes from their kitchen.",
        ),
        "story": t(
            "<p>一楼是制茶作坊，春茶季整夜飘着茶香。房间朴素整洁，老板可以开车到高铁站接人。</p>",
            "<p>The ground floor is the tea workshop, fragrant all night in the spring season. The rooms "
            "are plain and tidy, and the host can fetch you from the station.</p>",
        ),
        "host": ("方志强", "Fang Zhiqiang"),
        "amenities": ["wifi", "breakfast", "pickup", "farm_activities"],
        "policy": "moderate",
        "rooms": [
            _room(
                "茶香大床房",
                "Tea Scent Double",
                "楼上朝南，阳光很好。",
                "Upstairs and south-facing, full of light.",
                "1 张大床",
                "1 double bed",
                2,
                2,
                260,
                320,
            ),
            _room(
                "茶香双床房",
                "Tea Scent Twin",
                "适合两位朋友同住。",
                "For two friends.",
                "2 张单人床",
                "2 single beds",
                2,
                1,
                260,
                320,
            ),
        ],
    },
    {
        "slug": "she-stilt-house",
        "village": "zhuyuan",
        "theme": "ethnic",
        "title": t("畲家吊脚楼", "She Stilt House"),
        "summary": t(
            "畲族吊脚楼民宿，可以学织彩带、听山歌。",
            "A She stilt house where you can learn ribbon weaving and hear the mountain songs.",
        ),
        "story": t(
            "<p>主人雷阿婆是彩带编织的传承人，每周六晚在楼下火塘边唱畲族山歌。</p>",
            "<p>Granny Lei, the host, is a master of She ribbon weaving and sings by the fire pit "
            "downstairs every Saturday night.</p>",
        ),
        "host": ("雷彩凤", "Lei Caifeng"),
        "amenities": ["breakfast", "heating", "farm_activities", "garden"],
        "policy": "moderate",
        "rooms": [
            _room(
                "吊脚楼大床房",
                "Stilt House Double",
                "木楼临溪，枕着水声入睡。",
                "Wooden rooms over the stream: sleep to the sound of water.",
                "1 张大床",
                "1 double bed",
                2,
                2,
                298,
                368,
            ),
            _room(
                "火塘家庭房",
                "Fire Pit Family Room",
                "靠近火塘，冬天最暖。",
                "Next to the fire pit, the warmest room in winter.",
                "2 张大床",
                "2 double beds",
                4,
                1,
                528,
                598,
            ),
        ],
    },
    {
        "slug": "bamboo-spring-retreat",
        "village": "zhuyuan",
        "theme": "river",
        "title": t("竹泉山居", "Bamboo Spring Retreat"),
        "summary": t(
            "竹林深处的精品民宿，有山泉泡池。",
            "A boutique retreat deep in the bamboo, with a spring-fed pool.",
        ),
        "story": t(
            "<p>四栋小楼散落在竹林里，每间都有独立卫浴和观景露台。山泉泡池 17:00–22:00 开放。</p>",
            "<p>Four small houses among the bamboo, each room with its own bathroom and a view deck. "
            "The spring pool is open 17:00–22:00.</p>",
        ),
        "host": ("蓝晓峰", "Lan Xiaofeng"),
        "amenities": ["wifi", "parking", "breakfast", "air_conditioning", "private_bathroom", "step_free"],
        "policy": "strict",
        "rooms": [
            _room(
                "竹林景观大床房",
                "Bamboo View King",
                "露台正对竹海。",
                "The deck looks over the bamboo sea.",
                "1 张 2 米大床",
                "1 king bed",
                2,
                3,
                588,
                788,
            ),
            _room(
                "泉畔套房",
                "Spring Side Suite",
                "带私汤的套房。",
                "A suite with its own spring bath.",
                "1 张 2 米大床",
                "1 king bed",
                2,
                1,
                880,
            ),
            _room(
                "无障碍大床房",
                "Step-free Double",
                "一楼，无台阶，卫生间有扶手。",
                "Ground floor, no steps, grab rails in the bathroom.",
                "1 张大床",
                "1 double bed",
                2,
                1,
                488,
                588,
            ),
            _room(
                "山居家庭房",
                "Retreat Family Room",
                "两室一厅，适合两代人出游。",
                "Two bedrooms and a living room for two generations.",
                "2 张大床",
                "2 double beds",
                4,
                1,
                780,
                880,
            ),
        ],
    },
    {
        "slug": "red-ridge-inn",
        "village": "hongling",
        "theme": "memorial",
        "title": t("红岭驿站", "Red Ridge Inn"),
        "summary": t(
            "红色研学团队的老朋友，大通铺和标准间都有。",
            "An old friend of study-tour groups, with bunk rooms and standard rooms.",
        ),
        "story": t(
            "<p>离红岭纪念馆步行五分钟，可接待 30 人的研学团队，提供团餐和会议室。</p>",
            "<p>Five minutes' walk from the Hongling memorial hall; takes study groups of up to 30, "
            "with group meals and a meeting room.</p>",
        ),
        "host": ("徐卫东", "Xu Weidong"),
        "amenities": ["wifi", "parking", "air_conditioning", "heating", "step_free"],
        "policy": "flexible",
        "rooms": [
            _room(
                "标准双床房",
                "Standard Twin",
                "干净的标准间。",
                "A clean standard room.",
                "2 张单人床",
                "2 single beds",
                2,
                6,
                198,
                238,
            ),
            _room(
                "研学四人间",
                "Study Group Quad",
                "上下铺，适合学生团。",
                "Bunk beds for student groups.",
                "2 张上下铺",
                "2 bunk beds",
                4,
                4,
                320,
            ),
        ],
    },
    {
        "slug": "xikou-riverside",
        "village": "xikou",
        "theme": "river",
        "title": t("溪口临水居", "Xikou Riverside"),
        "summary": t(
            "溪边的白墙小楼，门前石桥，夏天可以下溪戏水。",
            "A white house by the stream with a stone bridge at the door; paddle in the stream in summer.",
        ),
        "story": t(
            "<p>老板是退休的语文老师，家里藏书上千册。离飞云瀑布步行 20 分钟。</p>",
            "<p>The host is a retired Chinese teacher with a thousand books. Flying Cloud Falls is a "
            "20-minute walk.</p>",
        ),
        "host": ("胡文清", "Hu Wenqing"),
        "amenities": ["wifi", "breakfast", "air_conditioning", "garden", "pickup"],
        "policy": "moderate",
        "rooms": [
            _room(
                "临溪大床房",
                "Riverside Double",
                "听得见溪水声。",
                "You can hear the stream.",
                "1 张大床",
                "1 double bed",
                2,
                2,
                358,
                438,
            ),
            _room(
                "书房双床房",
                "Library Twin",
                "房间里有一整面书墙。",
                "A whole wall of books.",
                "2 张单人床",
                "2 single beds",
                2,
                1,
                318,
                398,
            ),
            _room(
                "石桥家庭房",
                "Bridge View Family Room",
                "看得见石桥的三人间。",
                "A triple looking onto the stone bridge.",
                "1 张大床 + 1 张单人床",
                "1 double and 1 single bed",
                3,
                1,
                458,
                558,
            ),
        ],
    },
]

# Village centres are offset a little so the homestays do not sit on the village marker.
OFFSETS = [Decimal("0.0021"), Decimal("-0.0018"), Decimal("0.0034"), Decimal("-0.0027")]


def _host(ctx, index, names):
    """host1@… host10@…: in Hosts, e-mail verified, the shared demo password."""
    User = get_user_model()
    email = f"host{index}@tianyuan.example"
    user = User.objects.filter(email__iexact=email).first() or User(email=email)
    user.display_name = f"民宿主 {names[0]} {names[1]}"
    user.is_active = True
    user.is_staff = False
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get_or_create(name=HOSTS)[0])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if (email, DEMO_PASSWORD, HOSTS) not in ctx.users:
        ctx.users.append((email, DEMO_PASSWORD, HOSTS))
    return user


def _village(ctx, slug, lang):
    village = ctx.villages.get((slug, lang))
    if village is None:
        village = Village.objects.filter(slug=slug, locale=ctx.locale(lang)).first()
    return village


def _fill_room_types(page, specs, lang, photos):
    existing = list(page.room_types.all().order_by("sort_order", "pk"))
    rooms = []
    for position, spec in enumerate(specs):
        room = existing[position] if position < len(existing) else RoomType(locale=page.locale)
        room.sort_order = position
        room.name = spec["name"][lang]
        room.description = spec["description"][lang]
        room.beds = spec["beds"][lang]
        room.photo = photos[position % len(photos)]
        for field in ("max_guests", "units", "base_price_fen", "weekend_price_fen"):
            setattr(room, field, spec[field])
        room.min_nights = spec.get("min_nights", 1)
        rooms.append(room)
    page.room_types = rooms


def _next(today, month, day):
    """The next ``month``/``day`` on or after today (this year or next)."""
    candidate = datetime.date(today.year, month, day)
    return candidate if candidate >= today else datetime.date(today.year + 1, month, day)


def holiday_periods(today):
    """(note, first night, last night, price factor, minimum nights) for the next 12 months."""
    horizon = today + datetime.timedelta(days=366)
    periods = []
    national = _next(today, 10, 1)
    periods.append(("国庆节 National Day", national, national + datetime.timedelta(days=6), 1.6, 2))
    labour = _next(today, 5, 1)
    periods.append(("劳动节 Labour Day", labour, labour + datetime.timedelta(days=4), 1.4, 2))
    summer = _next(today, 7, 15)
    periods.append(("暑期 Summer holidays", summer, summer.replace(month=8, day=31), 1.2, 1))
    for year in (today.year, today.year + 1):
        first_day = SPRING_FESTIVAL.get(year)
        if first_day is None:
            continue
        start, end = first_day - datetime.timedelta(days=1), first_day + datetime.timedelta(days=6)
        if end >= today:
            periods.append(("春节 Spring Festival", max(start, today), end, 1.8, 2))
    return [p for p in periods if p[1] <= horizon]


def _round_price(fen):
    return int(round(fen / 1000)) * 1000  # whole ¥10 steps, as hosts price


def _rate_rules(ctx, index, rooms):
    """Replace the demo's own rules (imported closures are left alone)."""
    today = ctx.today
    RoomRateRule.objects.filter(room_type__in=rooms, source=None, call_off=None).delete()
    rules = []
    for room in rooms:
        for note, first, last, factor, min_nights in holiday_periods(today):
            rules.append(
                RoomRateRule(
                    room_type=room,
                    kind=RateRuleKind.PRICE,
                    start_date=first,
                    end_date=last,
                    price_fen=_round_price(room.base_price_fen * factor),
                    note=note,
                )
            )
            if min_nights > 1:
                rules.append(
                    RoomRateRule(
                        room_type=room,
                        kind=RateRuleKind.MIN_NIGHTS,
                        start_date=first,
                        end_date=last,
                        min_nights=min_nights,
                        note=note,
                    )
                )
    # Some closures: a week of repairs at one homestay, a family event at another, a room resting.
    first_room = rooms[0]
    if index % 4 == 1:
        start = today + datetime.timedelta(days=40 + index)
        rules.extend(
            RoomRateRule(
                room_type=room,
                kind=RateRuleKind.CLOSED,
                start_date=start,
                end_date=start + datetime.timedelta(days=6),
                note="修缮 Repairs",
            )
            for room in rooms
        )
    rules.append(
        RoomRateRule(
            room_type=first_room,
            kind=RateRuleKind.CLOSED,
            start_date=today + datetime.timedelta(days=20 + index),
            end_date=today + datetime.timedelta(days=21 + index),
            note="主人家自用 Family use",
        )
    )
    RoomRateRule.objects.bulk_create(rules)


def _bookings(ctx, index, rooms, visitor):
    """Confirmed stays by the demo visitor, through the reservation core; skipped once made."""
    if visitor is None:
        return 0
    ids = [room.pk for room in rooms]
    if Reservation.objects.filter(kind=ReservationKind.STAY, object_id__in=ids, holder=visitor).exists():
        return 0
    made = 0
    for offset, nights, room in (
        (3 + index, 2, rooms[0]),
        (12 + index * 2, 3, rooms[-1]),
        (60 + index, 2, rooms[0]),
    ):
        start = ctx.today + datetime.timedelta(days=offset)
        claim = Claim(
            ReservationKind.STAY,
            room.pk,
            room.units if room.units <= 2 else 2,
            start,
            start + datetime.timedelta(days=nights),
        )
        try:
            confirm(reserve([claim], holder=visitor))
        except ReservationError:
            continue  # a closure or a holiday minimum in the way: the demo just has one stay fewer
        made += 1
    return made


def load_homestays(ctx):
    """The homestay index, ten homestays with hosts, rooms, rates, closures and bookings."""
    home = home_page(ctx)

    def fill_index(page, lang):
        page.title = INDEX["title"][lang]
        page.intro = f"<p>{INDEX['intro'][lang]}</p>"
        page.show_in_menus = True

    index_zh, _index_en = upsert_page(ctx, home, HomestayIndexPage, INDEX_SLUG, fill_index)
    ensure_review_workflow(index_zh)
    amenities = {a.code: a for a in Amenity.objects.all()}
    visitor = get_user_model().objects.filter(email__iexact=VISITOR_EMAIL).first()
    booked = 0
    for number, item in enumerate(HOMESTAYS, start=1):
        host = _host(ctx, number, item["host"])
        main = ctx.image(f"homestay-{item['slug']}", item["theme"], item["title"])
        rooms_photo = ctx.image(
            f"homestay-{item['slug']}-room",
            "village" if item["theme"] != "village" else "mountain",
            {"zh": f"{item['title']['zh']} 客房", "en": f"{item['title']['en']}: a room"},
        )
        offset = OFFSETS[number % len(OFFSETS)]

        def fill(
            page, lang, item=item, host=host, main=main, rooms_photo=rooms_photo, offset=offset, number=number
        ):
            village = _village(ctx, item["village"], lang)
            page.title = item["title"][lang]
            page.summary = item["summary"][lang]
            page.search_description = item["summary"][lang]
            page.village = village
            page.host = host
            page.address = (
                f"{village.name if village else ''} {item['title'][lang]}"
                if lang == "zh"
                else f"{item['title'][lang]}, {village.name if village else ''}"
            ).strip()
            if village is not None and village.latitude is not None:
                page.latitude = village.latitude + offset
                page.longitude = village.longitude - offset
            page.description = stream(
                ctx, [("paragraph", item["story"])], lang, key=f"homestay/{item['slug']}"
            )
            page.amenities = [amenities[code] for code in item["amenities"] if code in amenities]
            page.cancellation_policy = item["policy"]
            page.contact_phone = f"0559-65{number:02d}{number * 7 % 100:02d}"
            page.house_rules = {
                "zh": "请勿在室内吸烟；22:00 后请保持安静。",
                "en": "No smoking indoors; please keep quiet after 22:00.",
            }[lang]
            page.gallery_images = [
                HomestayGalleryImage(image=main, caption=item["title"][lang], sort_order=0),
                HomestayGalleryImage(image=rooms_photo, caption=item["summary"][lang], sort_order=1),
            ]
            _fill_room_types(page, item["rooms"], lang, [rooms_photo, main])

        page_zh, page_en = upsert_page(ctx, index_zh, HomestayPage, item["slug"], fill)
        grant_host_access(page_zh)
        grant_host_access(page_en)
        rooms = list(RoomType.objects.canonical_for(page_zh))
        _rate_rules(ctx, number, rooms)
        booked += _bookings(ctx, number, rooms, visitor)
    ctx.log(
        f"  homestays: {len(HOMESTAYS)} (hosts host1…host{len(HOMESTAYS)}@tianyuan.example), "
        f"stays booked: {booked}"
    )


def load_demo_homestays(stdout=None):
    """Run the homestay step alone (the town's home page, villages and users must exist)."""
    from django.db import transaction

    zh, en = ensure_locales()
    write = stdout.write if stdout is not None else (lambda message: None)
    ctx = DemoContext(zh=zh, en=en, verbosity=1 if stdout is not None else 0, write=write)
    with transaction.atomic():
        load_homestays(ctx)
    return ctx
