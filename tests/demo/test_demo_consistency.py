"""The demo town does not contradict itself (issue 20, item 9): past sales are handed over, the
honey-peach picking keeps to its summer, each product's picture shows that product."""

import re

import pytest
from django.utils import timezone

from attractions.models import ExperiencePage
from orders.models import OrderLine, ReservationKind
from products.demo import PICTURES
from products.models import Product
from reports.demo import PAST_VISITORS_EMAIL
from town.demo.images import render_jpeg

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def test_past_visitors_sales_of_produce_are_all_handed_over(demo_town):
    sold = OrderLine.objects.filter(
        kind=ReservationKind.PRODUCT, order__user__email=PAST_VISITORS_EMAIL, order__status="completed"
    )
    assert sold.exists()
    assert not sold.filter(fulfilment__isnull=True).exists()


def test_peach_picking_has_slots_only_in_summer(demo_town):
    peaches = ExperiencePage.objects.get(slug="peach-picking", locale__language_code="zh-hans")
    assert peaches.months_in_season == [6, 7, 8]
    months = {timezone.localtime(start).month for start in peaches.slots.values_list("starts_at", flat=True)}
    assert months <= {6, 7, 8}


def test_every_product_has_a_picture_of_itself(demo_town):
    names = set(Product.objects.live().filter(locale__language_code="zh-hans").values_list("name", flat=True))
    assert names <= set(PICTURES), names - set(PICTURES)
    eggs = Product.objects.get(name="林下土鸡蛋", locale__language_code="zh-hans")
    photo = eggs.photos.select_related("image").first().image
    key = re.search(r"demo-(product-\d+)", photo.file.name)[1]
    with photo.open_file() as stored:
        assert stored.read() == render_jpeg(key, "eggs")  # drawn as eggs, not as an orchard
