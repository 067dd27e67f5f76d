"""Demo step: three car parks (one full, so /now/ points to the nearest with room), a dozen
facilities near the spots, one weather notice, and the parking permission for the editors."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from accounts.roles import EDITORS
from town.models import Village

from .models import CarPark, Facility, FacilityKind, Notice, NoticeKind, NoticeLevel

# (name, English name, village slug, lat, lng, total, free)
CAR_PARKS = [
    ("石板街游客停车场", "Flagstone Street car park", "shibanjie", 29.6109, 118.2605, 220, 86),
    ("桃花坞停车场", "Peach Blossom Dock car park", "taohuawu", 29.6440, 118.2230, 120, 0),
    ("茶山观景台停车场", "Tea Hill lookout car park", "chashan", 29.6672, 118.2951, 60, 23),
]

K = FacilityKind
# (kind, name, English name, accessible, village slug, lat, lng, opening hours)
FACILITIES = [
    (K.TOILET, "石板街公厕", "Flagstone Street toilets", True, "shibanjie", 29.6127, 118.2625, "06:00–22:00"),
    (
        K.TOILET,
        "桃花坞村口公厕",
        "Peach Blossom Dock toilets",
        False,
        "taohuawu",
        29.6457,
        118.2209,
        "07:00–21:00",
    ),
    (
        K.TOILET,
        "红岭纪念馆无障碍卫生间",
        "Memorial hall accessible toilet",
        True,
        "hongling",
        29.5671,
        118.2047,
        "08:30–17:30",
    ),
    (K.TOILET, "竹园公厕", "Bamboo Garden toilets", False, "zhuyuan", 29.5819, 118.3190, ""),
    (
        K.FIRST_AID,
        "游客中心医务室",
        "Visitor centre first aid",
        True,
        "shibanjie",
        29.6118,
        118.2612,
        "08:00–18:00",
    ),
    (
        K.FIRST_AID,
        "飞云瀑救护点",
        "Flying Cloud Falls first aid",
        False,
        "xikou",
        29.6152,
        118.1592,
        "09:00–17:00",
    ),
    (K.CHARGING, "石板街停车场充电桩", "Flagstone Street chargers", True, "shibanjie", 29.6110, 118.2607, ""),
    (K.CHARGING, "茶山充电桩", "Tea Hill chargers", False, "chashan", 29.6674, 118.2955, ""),
    (
        K.VISITOR_CENTRE,
        "田园游客中心",
        "Tianyuan visitor centre",
        True,
        "shibanjie",
        29.6117,
        118.2614,
        "08:00–18:00",
    ),
    (
        K.BUS_STOP,
        "石板街公交站",
        "Flagstone Street bus stop",
        True,
        "shibanjie",
        29.6104,
        118.2598,
        "06:30–19:30",
    ),
    (
        K.BUS_STOP,
        "桃花坞公交站",
        "Peach Blossom Dock bus stop",
        True,
        "taohuawu",
        29.6446,
        118.2221,
        "06:30–19:30",
    ),
    (K.DRINKING_WATER, "溪口直饮水点", "Xikou drinking water", True, "xikou", 29.6031, 118.1730, ""),
]


def load_scenic(ctx):
    villages = {v.slug: v for v in Village.objects.filter(locale=ctx.zh)}
    now = timezone.now()
    for name, name_en, village, lat, lng, total, free in CAR_PARKS:
        CarPark.objects.update_or_create(
            name=name,
            defaults={
                "name_en": name_en,
                "village": villages.get(village),
                "latitude": lat,
                "longitude": lng,
                "total_spaces": total,
                "free_spaces": free,
                "counted_at": now,
            },
        )
    for kind, name, name_en, accessible, village, lat, lng, hours in FACILITIES:
        Facility.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "name_en": name_en,
                "accessible": accessible,
                "village": villages.get(village),
                "latitude": lat,
                "longitude": lng,
                "opening_hours": hours,
            },
        )
    Notice.objects.update_or_create(
        title="午后有雷阵雨",
        defaults={
            "kind": NoticeKind.WEATHER,
            "level": NoticeLevel.WARNING,
            "title_en": "Thunderstorms this afternoon",
            "text": "飞云瀑步道雨中湿滑，请走主路，远离溪边。",
            "text_en": (
                "The Flying Cloud Falls trail is slippery in the rain: "
                "keep to the main path, away from the stream."
            ),
            "starts_at": now - datetime.timedelta(hours=1),
            "ends_at": now + datetime.timedelta(days=2),
        },
    )
    editors = Group.objects.filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.add(
            Permission.objects.get(codename="count_parking", content_type__app_label="scenic")
        )
    ctx.log(f"Scenic area: {len(CAR_PARKS)} car parks, {len(FACILITIES)} facilities, one notice.")
