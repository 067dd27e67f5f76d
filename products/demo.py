"""The demo town's shop: eight producers across the villages (some in the town's programme for
low-income households), thirty products with generated pictures and English names, the shop
page, shipping rates, the moderation workflow (one product waiting in its queue), and a few
orders of the demo visitor in different states.

``load_shop(ctx)`` is a step of ``python manage.py load_demo`` (home/demo/steps.py), after the
homestays. Idempotent: producers are found by e-mail, products by producer and Chinese name,
orders are made only while the visitor has no product order yet.
"""

import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import FARMERS
from orders import order_state, reservations
from orders.lines import get_line_kind
from orders.models import BasketLine, OrderLine
from orders.payments.base import get_provider
from town.demo.base import DEMO_PASSWORD, home_page, t, upsert_page
from town.models import Village

from .models import (
    BATCH_CODE_ALPHABET,
    Batch,
    Certification,
    CertificationKind,
    FulfilmentStatus,
    LineFulfilment,
    Producer,
    ProducerStatus,
    Product,
    ProductPhoto,
    ShippingRate,
    ShopPage,
)
from .services import ensure_product_workflow

SHOP_SLUG = "shop"
VISITOR_EMAIL = "visitor@tianyuan.example"

SHOP = {
    "title": t("农家好物", "Farm shop"),
    "intro": t(
        "青溪镇农户自产的水果、茶叶、米面和手作，在游客中心自提、送到你住的民宿，或快递到家。",
        "Fruit, tea, grain and crafts from the farms of Qingxi: pick them up at the visitor centre, "
        "have them brought to your homestay, or shipped home.",
    ),
}

SHIPPING_RATES = [
    ("浙江 · 上海 · 江苏 · 安徽", 1000),
    ("其他省份 Other provinces", 1800),
    ("新疆 · 西藏", 3500),
]

# e-mail, display name (zh, en), village slug, supported household, picture theme, story
PRODUCERS = [
    (
        "farmer@tianyuan.example",
        t("汪建国的茶园", "Wang Jianguo's tea garden"),
        "chashan",
        False,
        "tea",
        "在茶山种了三十年茶，清明前后上山采最嫩的芽头，用老柴灶手工炒制。",
    ),
    (
        "farmer2@tianyuan.example",
        t("李秀英果园", "Li Xiuying's orchard"),
        "taohuawu",
        True,
        "peach",
        "桃花坞的果园，春天是桃花，初夏是草莓和水蜜桃。自己种、自己摘，不打催熟剂。",
    ),
    (
        "farmer3@tianyuan.example",
        t("张阿婆的灶台", "Granny Zhang's kitchen"),
        "shibanjie",
        True,
        "village",
        "石板街口的老灶台，做了一辈子果酱、笋干和腊味，都是外婆传下来的方子。",
    ),
    (
        "farmer4@tianyuan.example",
        t("雷家竹编", "Lei family bamboo weaving"),
        "zhuyuan",
        False,
        "ethnic",
        "畲族人家，祖辈编竹篮、竹席，也在山上种高山茶。",
    ),
    (
        "farmer5@tianyuan.example",
        t("红岭陈师傅米坊", "Master Chen's rice mill, Hongling"),
        "hongling",
        False,
        "harvest",
        "红岭的梯田米，一年一季，石碾慢磨。",
    ),
    (
        "farmer6@tianyuan.example",
        t("溪口吴大姐菜园", "Sister Wu's vegetable garden, Xikou"),
        "xikou",
        True,
        "farm",
        "溪口河边的菜园，每天清早摘菜，新鲜送到游客中心。",
    ),
    (
        "farmer7@tianyuan.example",
        t("方家蜂场", "Fang family apiary"),
        "chashan",
        False,
        "mountain",
        "蜂箱摆在茶山和野花坡上，一年只取两次蜜。",
    ),
    (
        "farmer8@tianyuan.example",
        t("胡老伯土鸡场", "Uncle Hu's free-range chickens"),
        "taohuawu",
        True,
        "farm",
        "鸡在桃林下散养，吃虫子和玉米，蛋黄是橙红色的。",
    ),
]

THEMES = {
    "fruit": "peach",
    "vegetables": "farm",
    "tea": "tea",
    "rice_grain": "harvest",
    "meat_eggs": "farm",
    "crafts": "ethnic",
    "processed": "village",
}

# What each product's picture shows (town.demo.images.STILL_LIFES), so eggs look like eggs and
# honey like honey; a product not listed gets its category's landscape (THEMES).
PICTURES = {
    "明前龙井": "green_tea",
    "高山云雾茶": "green_tea",
    "老枞红茶": "black_tea",
    "茶山野菊花": "chrysanthemum",
    "奶油草莓": "strawberries",
    "水蜜桃": "peaches",
    "黄桃": "yellow_peaches",
    "野生猕猴桃": "kiwis",
    "草莓酱": "jam",
    "笋干": "bamboo_shoots",
    "农家腊肉": "cured_pork",
    "桃花酥": "pastries",
    "桂花糕": "cakes",
    "竹编果篮": "basket",
    "竹编杯垫": "coasters",
    "畲家高山茶": "green_tea",
    "彩带书签": "bookmarks",
    "红岭梯田米": "rice",
    "石磨糙米": "brown_rice",
    "高粱小米": "millet",
    "新米礼盒": "rice",
    "高山萝卜": "radishes",
    "有机青菜": "greens",
    "春笋": "bamboo_shoots",
    "土鸡蛋（溪口）": "eggs",
    "百花蜜": "honey",
    "茶花蜜": "honey",
    "林下土鸡蛋": "eggs",
    "散养土鸡": "chicken",
    "咸鸭蛋": "duck_eggs",
}

ALL_YEAR = list(range(1, 13))


def _p(producer, zh, en, category, unit, price_yuan, stock, months, desc_zh, desc_en, delivery="psh"):
    return {
        "producer": producer,
        "name": t(zh, en),
        "category": category,
        "unit": unit,
        "price_fen": int(round(price_yuan * 100)),
        "stock": stock,
        "months": months,
        "description": t(desc_zh, desc_en),
        "pickup": "p" in delivery,
        "shipping": "s" in delivery,
        "homestay": "h" in delivery,
    }


PRODUCTS = [
    _p(
        0,
        "明前龙井",
        "Pre-Qingming green tea",
        "tea",
        "box",
        268,
        40,
        [3, 4],
        "清明前采摘的头茬嫩芽，手工炒制，豆香清爽。250 克一盒。",
        "First buds picked before Qingming, pan-fired by hand. 250 g a box.",
    ),
    _p(
        0,
        "高山云雾茶",
        "High-mountain cloud tea",
        "tea",
        "box",
        158,
        60,
        [4, 5, 6],
        "海拔八百米茶园，云雾里长大的茶，耐泡回甘。",
        "Grown in the mist at 800 m; it brews many times and leaves a sweet finish.",
    ),
    _p(
        0,
        "老枞红茶",
        "Old-bush black tea",
        "tea",
        "box",
        128,
        35,
        ALL_YEAR,
        "老茶树的叶子做的红茶，蜜香浓。",
        "Black tea from old bushes, with a honeyed aroma.",
    ),
    _p(
        0,
        "茶山野菊花",
        "Wild chrysanthemum from the tea hills",
        "tea",
        "box",
        48,
        50,
        [10, 11, 12],
        "秋天在茶山边采的野菊，晒干泡水喝。",
        "Wild chrysanthemums picked in autumn, sun-dried for tea.",
    ),
    _p(
        1,
        "奶油草莓",
        "Cream strawberries",
        "fruit",
        "jin",
        35,
        80,
        [12, 1, 2, 3, 4],
        "大棚里慢慢长熟的奶油草莓，果肉软、奶香浓，当天采摘。",
        "Soft, milky strawberries ripened slowly under cover, picked the same day.",
        "psh",
    ),
    _p(
        1,
        "水蜜桃",
        "Juicy white peaches",
        "fruit",
        "box",
        88,
        50,
        [6, 7, 8],
        "桃花坞的白凤水蜜桃，一盒十二个。",
        "Taohuawu white peaches, twelve to a box.",
        "psh",
    ),
    _p(
        1,
        "黄桃",
        "Yellow peaches",
        "fruit",
        "jin",
        12,
        100,
        [7, 8, 9],
        "脆甜的黄桃，适合做罐头。",
        "Crisp, sweet yellow peaches, good for preserving.",
        "ph",
    ),
    _p(
        1,
        "野生猕猴桃",
        "Wild kiwi fruit",
        "fruit",
        "jin",
        16,
        0,
        [9, 10, 11],
        "山上采的野生猕猴桃，个小味浓。今年已经卖完。",
        "Small, intense wild kiwis from the hills. Sold out this year.",
        "ps",
    ),
    _p(
        2,
        "草莓酱",
        "Strawberry jam",
        "processed",
        "piece",
        38,
        45,
        ALL_YEAR,
        "用奶油草莓和冰糖慢熬的草莓酱，不加防腐剂。300 克一瓶。",
        "Cream strawberries slow-cooked with rock sugar; no preservatives. 300 g a jar.",
    ),
    _p(
        2,
        "笋干",
        "Dried bamboo shoots",
        "processed",
        "jin",
        58,
        30,
        ALL_YEAR,
        "春笋煮过后晒干，炖肉最香。",
        "Spring shoots boiled and sun-dried; best braised with pork.",
    ),
    _p(
        2,
        "农家腊肉",
        "Farmhouse cured pork",
        "processed",
        "jin",
        78,
        25,
        [11, 12, 1, 2],
        "冬至后腌制、柴火熏的腊肉。",
        "Pork salted after the winter solstice and smoked over wood.",
        "ps",
    ),
    _p(
        2,
        "桃花酥",
        "Peach-blossom pastries",
        "processed",
        "box",
        45,
        40,
        [3, 4, 5],
        "桃花季限定的酥饼，一盒八个。",
        "Flaky pastries made in peach-blossom season, eight to a box.",
        "ph",
    ),
    _p(
        2,
        "桂花糕",
        "Osmanthus cakes",
        "processed",
        "box",
        32,
        35,
        [9, 10],
        "新鲜桂花和糯米做的糕，软糯清香。",
        "Sticky-rice cakes with fresh osmanthus flowers.",
        "ph",
    ),
    _p(
        3,
        "竹编果篮",
        "Woven bamboo basket",
        "crafts",
        "piece",
        120,
        12,
        ALL_YEAR,
        "雷家手编的竹篮，结实耐用，一只要编两天。",
        "Hand-woven by the Lei family; each takes two days.",
    ),
    _p(
        3,
        "竹编杯垫",
        "Bamboo coasters",
        "crafts",
        "box",
        36,
        30,
        ALL_YEAR,
        "六片一盒的竹编杯垫，畲族彩带纹。",
        "Six coasters woven with She ribbon patterns.",
    ),
    _p(
        3,
        "畲家高山茶",
        "She highland tea",
        "tea",
        "box",
        98,
        30,
        [4, 5],
        "竹源村山顶的老茶园。",
        "From the old tea garden on the hilltop above Zhuyuan.",
    ),
    _p(
        3,
        "彩带书签",
        "She ribbon bookmarks",
        "crafts",
        "piece",
        15,
        60,
        ALL_YEAR,
        "畲族彩带织成的书签。",
        "Bookmarks woven from She ribbon.",
    ),
    _p(
        4,
        "红岭梯田米",
        "Hongling terrace rice",
        "rice_grain",
        "kg",
        18,
        200,
        [10, 11, 12, 1],
        "梯田里一年一季的稻米，煮饭油亮。",
        "One harvest a year from the terraces; glossy when cooked.",
    ),
    _p(
        4,
        "石磨糙米",
        "Stone-milled brown rice",
        "rice_grain",
        "kg",
        22,
        80,
        ALL_YEAR,
        "石碾慢磨的糙米，保留米糠。",
        "Slowly milled on stone, bran kept.",
    ),
    _p(
        4,
        "高粱小米",
        "Sorghum and millet mix",
        "rice_grain",
        "kg",
        26,
        60,
        ALL_YEAR,
        "熬粥用的五谷杂粮。",
        "A mix of grains for porridge.",
    ),
    _p(
        4,
        "新米礼盒",
        "New-rice gift box",
        "rice_grain",
        "box",
        128,
        20,
        [10, 11],
        "当年新米五公斤装礼盒。",
        "Five kilograms of this year's rice in a gift box.",
        "s",
    ),
    _p(
        5,
        "高山萝卜",
        "Highland radishes",
        "vegetables",
        "jin",
        4,
        120,
        [11, 12, 1, 2],
        "霜打过的萝卜，清甜多汁。",
        "Radishes sweetened by the frost.",
        "ph",
    ),
    _p(
        5,
        "有机青菜",
        "Organic greens",
        "vegetables",
        "jin",
        6,
        90,
        ALL_YEAR,
        "每天清早现摘的青菜。",
        "Greens picked every morning.",
        "ph",
    ),
    _p(
        5,
        "春笋",
        "Spring bamboo shoots",
        "vegetables",
        "jin",
        15,
        70,
        [3, 4],
        "雨后破土的春笋，当天挖。",
        "Dug the day they break ground after rain.",
        "ph",
    ),
    _p(
        5,
        "土鸡蛋（溪口）",
        "Free-range eggs (Xikou)",
        "meat_eggs",
        "box",
        45,
        40,
        ALL_YEAR,
        "三十枚一盒。",
        "Thirty to a box.",
        "ph",
    ),
    _p(
        6,
        "百花蜜",
        "Wildflower honey",
        "processed",
        "piece",
        88,
        50,
        [5, 6, 7, 8, 9],
        "野花坡上的百花蜜，500 克一瓶。",
        "Honey from the wildflower slopes, 500 g a jar.",
    ),
    _p(
        6,
        "茶花蜜",
        "Tea-blossom honey",
        "processed",
        "piece",
        128,
        20,
        [11, 12],
        "茶花开时才有的蜜，产量很少。",
        "Made only while the tea bushes flower; very little of it.",
    ),
    _p(
        7,
        "林下土鸡蛋",
        "Orchard free-range eggs",
        "meat_eggs",
        "box",
        58,
        60,
        ALL_YEAR,
        "桃林下散养的土鸡蛋，三十枚一盒。",
        "Eggs from hens roaming under the peach trees, thirty to a box.",
        "psh",
    ),
    _p(
        7,
        "散养土鸡",
        "Free-range chicken",
        "meat_eggs",
        "piece",
        168,
        15,
        ALL_YEAR,
        "养满一年的土鸡，现杀冷藏。",
        "Raised for a full year, chilled on the day.",
        "ph",
    ),
    _p(
        7,
        "咸鸭蛋",
        "Salted duck eggs",
        "meat_eggs",
        "box",
        42,
        40,
        ALL_YEAR,
        "黄泥腌的咸鸭蛋，蛋黄流油。",
        "Cured in clay, with rich yolks.",
    ),
]


def _village(ctx, slug):
    village = ctx.villages.get((slug, "zh"))
    return village or Village.objects.filter(slug=slug, locale=ctx.zh).first()


def _changed(obj, values):
    """Set ``values`` on ``obj``; True if any differed (unchanged rows are not saved again, so a
    second load neither re-indexes nor adds revisions)."""
    changed = obj.pk is None
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _producer(ctx, index, spec):
    email, name, village_slug, supported, theme, story = spec
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, display_name=name["zh"], is_active=True)
        user.set_password(DEMO_PASSWORD)
        user.save()
    user.groups.add(Group.objects.get_or_create(name=FARMERS)[0])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if (email, DEMO_PASSWORD, FARMERS) not in ctx.users:
        ctx.users.append((email, DEMO_PASSWORD, FARMERS))
    producer = Producer.objects.filter(user=user).first() or Producer(user=user)
    village = _village(ctx, village_slug)
    values = {
        "display_name": name["zh"],
        "village_id": village.pk if village else None,
        "story": story,
        "phone": f"139 5596 {index:04d}",
        "pickup_address": "青溪镇游客中心 Visitor centre, Flagstone Street",
        "photo_id": ctx.image(f"producer-{index}", theme, name).pk,
        "supported_household": supported,
        "status": ProducerStatus.VERIFIED,
    }
    if _changed(producer, values):
        producer.verified_at = producer.verified_at or timezone.now()
        producer.save()
    return producer


def _product(ctx, index, spec, producer):
    product = Product.objects.filter(producer=producer, name=spec["name"]["zh"], locale=ctx.zh).first()
    if product is None:
        product = Product(producer=producer, name=spec["name"]["zh"], locale=ctx.zh)
    picture = PICTURES.get(spec["name"]["zh"], THEMES[spec["category"]])
    image = ctx.image(f"product-{index}", picture, spec["name"])
    values = {
        "category": spec["category"],
        "description": spec["description"]["zh"],
        "unit": spec["unit"],
        "price_fen": spec["price_fen"],
        "stock": spec["stock"],
        "months_in_season": sorted(spec["months"]),
        "origin_village_id": producer.village_id,
        "offers_pickup": spec["pickup"],
        "offers_shipping": spec["shipping"],
        "offers_homestay_delivery": spec["homestay"],
        "live": True,
    }
    if product.pk is None:
        # Saved live with its first revision marked as the published one: the same rows as
        # save_revision().publish(), with one save (and one re-index) fewer per product.
        _changed(product, values)
        product.photos = [ProductPhoto(image=image, caption=spec["name"]["zh"], sort_order=0)]
        product.save()
        revision = product.save_revision()
        now = timezone.now()
        Product.objects.filter(pk=product.pk).update(
            live_revision=revision,
            first_published_at=now,
            last_published_at=now,
            has_unpublished_changes=False,
        )
    elif _changed(product, values) or product.has_unpublished_changes:
        product.save_revision().publish()

    # The English row carries only the words; stock and orders stay on the Chinese one.
    translation = product.get_translation_or_none(ctx.en)
    if translation is None:
        translation = product.copy_for_translation(ctx.en)
        translation.photos = [ProductPhoto(image=image, caption=spec["name"]["en"], sort_order=0)]
    english = {
        "name": spec["name"]["en"],
        "description": spec["description"]["en"],
        "origin_village_id": getattr(_village_en(ctx, producer.village), "pk", None),
        "live": True,
    }
    if _changed(translation, english):
        translation.save()
    return product


def _village_en(ctx, village):
    if village is None:
        return None
    return ctx.villages.get((village.slug, "en")) or village.get_translation_or_none(ctx.en) or village


def _in_review(ctx, producer):
    """One draft of the demo farmer waiting in the moderation queue, and one plain draft."""
    from wagtail.models import WorkflowState

    workflow = ensure_product_workflow()
    drafts = [
        ("手工茶饼（待审核）", "Hand-pressed tea cake (in review)", True),
        ("茶籽油（草稿）", "Tea-seed oil (draft)", False),
    ]
    for zh, _en, submit in drafts:
        product = Product.objects.filter(producer=producer, name=zh).first()
        if product is None:
            product = Product(
                producer=producer,
                name=zh,
                locale=ctx.zh,
                category="tea" if submit else "processed",
                description=zh,
                unit="piece",
                price_fen=9800,
                stock=10,
                months_in_season=ALL_YEAR,
                origin_village=producer.village,
                live=False,
            )
            product.save()
            product.save_revision(user=producer.user)
        if submit and not WorkflowState.objects.for_instance(product).exists():
            workflow.start(product, producer.user)


def _orders(ctx, products):
    """The demo visitor's produce orders: paid and packed, confirmed and shipped, cancelled."""
    visitor = get_user_model().objects.filter(email__iexact=VISITOR_EMAIL).first()
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if visitor is None or OrderLine.objects.filter(order__user=visitor, kind="product").exists():
        return 0
    rate = ShippingRate.objects.order_by("sort_order", "pk").first()
    by_name = {p.name: p for p in products}
    plans = [
        ("paid", [("奶油草莓", 2, {"delivery": "pickup"}), ("草莓酱", 1, {"delivery": "pickup"})]),
        (
            "shipped",
            [("高山云雾茶", 1, {"delivery": "shipping"}), ("红岭梯田米", 2, {"delivery": "shipping"})],
        ),
        ("cancelled", [("林下土鸡蛋", 1, {"delivery": "pickup"})]),
    ]
    handler = get_line_kind("product")
    provider = get_provider("on_site")
    made = 0
    for state, items in plans:
        placed = []
        for name, quantity, options in items:
            product = by_name[name]
            if options["delivery"] == "shipping":
                options = {
                    **options,
                    "shipping_region": rate.region,
                    "shipping_address": "上海市徐汇区漕溪北路 1 号",
                }
            line = BasketLine(kind="product", object_id=product.pk, quantity=quantity, options=options)
            placed.append(
                order_state.PlacedLine(
                    kind="product",
                    object_id=product.pk,
                    start_date=None,
                    end_date=None,
                    guests=1,
                    quantity=quantity,
                    note="",
                    price=handler.price(line),
                    snapshot=handler.snapshot(line),
                    reservations=reservations.reserve(handler.claims(line), holder=visitor),
                    options=options,
                )
            )
        order = order_state.place_order(
            user=visitor,
            lines=placed,
            contact_name="陈晓",
            contact_phone="+86 138 0000 0000",
            provider=provider,
            currency="CNY",
            language="zh-hans",
        )
        lines = list(order.lines.all())
        if state == "paid":
            order_state.mark_paid_on_site(order, by_user=admin)
            LineFulfilment.objects.create(order_line=lines[0], status=FulfilmentStatus.PACKED)
        elif state == "shipped":
            for number, line in enumerate(lines, start=1):
                LineFulfilment.objects.create(
                    order_line=line, status=FulfilmentStatus.SHIPPED, tracking_number=f"SF10{number}2026001"
                )
        elif state == "cancelled":
            order_state.cancel_order(order, by_user=visitor, reason="行程有变 Change of plans")
        made += 1
    return made


# Batches and certificates of the first products (issue 19, item 4): (product index, days since
# each harvest, plot), and the certificates (kind, number, issuer, days valid before/after today;
# None as product: all of the producer's products). One has expired: its badge is hidden.
TRACED = (
    (0, (20, 50), "狮峰山南坡茶园三号地块"),
    (1, (12,), "溪口梯田"),
    (2, (5, 35), "后山果园"),
    (3, (3,), "林下散养区"),
)
CERTIFICATES = (
    (0, CertificationKind.GEOGRAPHICAL_INDICATION, "AGI-2019-0215", "农业农村部", (900, 700), True),
    (0, CertificationKind.ORGANIC, "OC-3301-2026-0088", "中绿华夏有机食品认证中心", (200, 165), False),
    (1, CertificationKind.GREEN_FOOD, "LB-15-26010233A", "中国绿色食品发展中心", (300, 795), False),
    (
        2,
        CertificationKind.POLLUTION_FREE,
        "WNP-ZJ-2022-117",
        "浙江省农业农村厅",
        (1200, -30),
        False,
    ),  # expired
    (3, CertificationKind.OTHER, "FX-2026-006", "县农产品质量安全检测站", (60, 305), False),
)


def _batch_code(product_index, batch_index):
    """Demo codes are fixed (so loading twice adds nothing) and drawn from the codes' alphabet."""
    return f"TYDM{BATCH_CODE_ALPHABET[product_index]}{BATCH_CODE_ALPHABET[batch_index]}QR"


def _traceability(products):
    today = reservations.local_today()
    traced = 0
    for index, days_ago, plot in TRACED:
        if index >= len(products):
            continue
        product = products[index]
        village = product.origin_village or product.producer.village
        for batch_index, days in enumerate(days_ago):
            Batch.objects.update_or_create(
                code=_batch_code(index, batch_index),
                defaults={
                    "product": product,
                    "harvested_on": today - datetime.timedelta(days=days),
                    "quantity": Decimal(60 + 20 * batch_index),
                    "unit": product.unit,
                    "village": village,
                    "plot": plot,
                    "notes": "",
                },
            )
        traced += 1
    for index, kind, number, issuer, (before, after), producer_wide in CERTIFICATES:
        if index >= len(products):
            continue
        product = products[index]
        Certification.objects.update_or_create(
            producer=product.producer,
            number=number,
            defaults={
                "product": None if producer_wide else product,
                "kind": kind,
                "name": "富硒农产品" if kind == CertificationKind.OTHER else "",
                "issuer": issuer,
                "valid_from": today - datetime.timedelta(days=before),
                "valid_until": today + datetime.timedelta(days=after),
            },
        )
    return traced


def load_shop(ctx):
    home = home_page(ctx)

    def fill_shop(page, lang):
        page.title = SHOP["title"][lang]
        page.intro = f"<p>{SHOP['intro'][lang]}</p>"
        page.show_in_menus = True

    upsert_page(ctx, home, ShopPage, SHOP_SLUG, fill_shop)
    for sort_order, (region, fee_fen) in enumerate(SHIPPING_RATES):
        ShippingRate.objects.update_or_create(
            region=region, defaults={"fee_fen": fee_fen, "sort_order": sort_order}
        )
    ensure_product_workflow()
    producers = [_producer(ctx, index, spec) for index, spec in enumerate(PRODUCERS, start=1)]
    products = [
        _product(ctx, index, spec, producers[spec["producer"]])
        for index, spec in enumerate(PRODUCTS, start=1)
    ]
    _in_review(ctx, producers[0])
    traced = _traceability(products)
    orders = _orders(ctx, products)
    supported = sum(1 for spec in PRODUCERS if spec[3])
    ctx.log(
        f"  shop: {len(producers)} producers ({supported} supported households; farmer@tianyuan.example "
        f"and farmer2…farmer{len(PRODUCERS)}@tianyuan.example), {len(products)} products "
        f"({traced} with batches), orders: {orders}"
    )
