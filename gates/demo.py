"""Demo step: timed entry for two spots and crowd figures for three.

* The Hongling memorial hall: free, real name ("凭身份证预约"), hourly windows 09:00–17:00,
  closed on Mondays, 60 per window and 400 a day; the demo visitor has booked tomorrow.
* Peach Blossom Hollow old village: paid (¥30) in the blossom season only (next March and
  April), two-hour windows; its windows are made through the season.
* Flying Cloud Falls: counted by staff only (no reservation).

Idempotent: rules and crowds are found again by spot; windows are never made twice; the
visitor's booking is made only if they have no entry yet.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from orders import basket as basket_service
from orders.checkout import checkout
from orders.exceptions import ReservationError
from orders.models import Basket, OrderLine

from . import idcards
from .inventory import ENTRY
from .models import EntryRule, SpotCrowd
from .schedules import generate_windows

VISITOR_EMAIL = "visitor@tianyuan.example"
# A made-up number with a valid check digit (a 1990 birth date in Hangzhou's Xihu district).
DEMO_ID = "33010619900307123"


def load_entry(ctx):
    today = timezone.localdate()
    hall = ctx.page("hongling-memorial-hall")
    valley = ctx.page("taohuawu-old-village")
    falls = ctx.page("flying-cloud-falls")
    hall_rule, _created = EntryRule.objects.update_or_create(
        spot=hall,
        defaults={
            "real_name": True,
            "price_fen": 0,
            "opens_at": datetime.time(9),
            "closes_at": datetime.time(17),
            "window_minutes": 60,
            "per_window": 60,
            "per_day": 400,
            "monday": False,
        },
    )
    spring = today.year if today.month < 5 else today.year + 1
    valley_rule, _created = EntryRule.objects.update_or_create(
        spot=valley,
        defaults={
            "price_fen": 3000,
            "opens_at": datetime.time(8),
            "closes_at": datetime.time(18),
            "window_minutes": 120,
            "per_window": 300,
            "per_day": 2000,
            "season_from": datetime.date(spring, 3, 1),
            "season_until": datetime.date(spring, 4, 30),
            "cancellation_policy": "moderate",
        },
    )
    generate_windows(hall_rule, days=30)
    generate_windows(valley_rule, days=(datetime.date(spring, 4, 30) - today).days + 1)
    for spot, people, comfortable, maximum in (
        (hall, 42, 150, 300),
        (valley, 0, 800, 2000),
        (falls, 310, 250, 600),
    ):
        SpotCrowd.objects.get_or_create(
            spot=spot, defaults={"people": people, "comfortable": comfortable, "maximum": maximum}
        )
    _visitor_books(hall_rule, today)


def _visitor_books(rule, today):
    visitor = get_user_model().objects.filter(email=VISITOR_EMAIL).first()
    if visitor is None or OrderLine.objects.filter(order__user=visitor, kind=ENTRY).exists():
        return
    window = rule.windows.filter(day__date__gt=today).order_by("starts_at").first()
    if window is None:
        return
    basket, _created = Basket.objects.get_or_create(user=visitor)
    if basket.lines.exists():
        return  # checkout takes the whole basket: leave the visitor's own lines alone
    holder = {"name": "王芳", "id_number": DEMO_ID + idcards.check_digit(DEMO_ID)}
    try:
        basket_service.add_line(basket, {"kind": ENTRY, "window_id": window.pk, "holders": [holder]})
        checkout(visitor, basket, contact_name="王芳", contact_phone="+86 139 0000 0000", language="zh-hans")
    except ReservationError:
        return
