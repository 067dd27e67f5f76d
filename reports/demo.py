"""Demo step: a past year of sales, so the reports and the dashboard have something to show."""

import datetime

from django.contrib.auth import get_user_model
from wagtail.models import Locale

from attractions.models import ExperiencePage, TourSlot
from homestays.models import RoomType
from orders.models import Order
from orders.models.reservations import ReservationKind
from products.models import Product

from .history import REFERENCE_PREFIX, Catalogue, Sellable, generate_sales

HISTORY_LINES = 1500
# The past orders belong to one account that cannot log in, so the demo visitor's own trips
# and orders stay the handful the demo made for them.
PAST_VISITORS_EMAIL = "past-visitors@tianyuan.example"


def _past_slots(today, tz):
    """Saturday-morning slots of each experience over the past year (the schedules only make
    slots ahead), as they would have existed."""
    slots = []
    for experience in ExperiencePage.objects.live().filter(locale=Locale.get_default()):
        day = today - datetime.timedelta(days=365)
        day += datetime.timedelta(days=(5 - day.weekday()) % 7)
        while day < today - datetime.timedelta(days=1):
            if not experience.in_season_on(day):  # no peach picking sold for December
                day += datetime.timedelta(days=7)
                continue
            starts = datetime.datetime.combine(day, datetime.time(9), tz)
            minutes = experience.duration_minutes or 180
            slots.append(
                TourSlot(
                    experience=experience,
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(minutes=minutes),
                )
            )
            day += datetime.timedelta(days=7)
    TourSlot.objects.bulk_create(slots, ignore_conflicts=True)
    return TourSlot.objects.filter(
        starts_at__lt=datetime.datetime.combine(today, datetime.time.min, tz)
    ).select_related("experience__village", "experience__meeting_point")


def catalogue_of_the_town(today, tz) -> Catalogue:
    default = Locale.get_default()
    stays = [
        Sellable(
            ReservationKind.STAY,
            room.pk,
            room.page.title,
            room.base_price_fen,
            room.page.village_id,
            room.page.host_id,
            room.page_id,
            item_name=room.name,
        )
        for room in RoomType.objects.filter(locale=default).select_related("page").order_by("pk")
    ]
    tours = [
        Sellable(
            ReservationKind.TOUR,
            slot.pk,
            slot.experience.title,
            slot.experience.price_adult_fen,
            slot.experience.village_id_for_money,
            slot.experience.owner_id,
            slot.experience_id,
            starts_at=slot.starts_at,
        )
        for slot in _past_slots(today, tz)
    ]
    on_sale = Product.objects.filter(locale=default, live=True).select_related("producer").order_by("pk")
    products = [
        Sellable(
            ReservationKind.PRODUCT,
            product.pk,
            product.name,
            product.price_fen,
            product.producer.village_id or product.origin_village_id,
            product.producer.user_id,
            item_name=product.producer.display_name,
        )
        for product in on_sale
    ]
    return Catalogue(stays=stays, tours=tours, products=products)


def load_sales_history(ctx):
    from django.utils import timezone

    if Order.objects.filter(reference__startswith=REFERENCE_PREFIX).exists():
        return
    buyer, created = get_user_model().objects.get_or_create(
        email=PAST_VISITORS_EMAIL, defaults={"display_name": "往年游客 Past visitors", "is_active": False}
    )
    if created:
        buyer.set_unusable_password()
        buyer.save(update_fields=["password"])
    tz = timezone.get_current_timezone()
    catalogue = catalogue_of_the_town(ctx.today, tz)
    made = generate_sales(
        catalogue,
        buyer=buyer,
        lines=HISTORY_LINES,
        start=ctx.today - datetime.timedelta(days=365),
        end=ctx.today - datetime.timedelta(days=5),
    )
    ctx.log(f"Sales history: {made} order lines over the past year")
