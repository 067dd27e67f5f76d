"""Issue #5 in a real browser: a farmer adds a product with a photo from a phone and sends it for review."""

import re

import pytest
from django.urls import reverse
from PIL import Image
from wagtail.images import get_image_model

from products.models import Product
from products.services import ensure_product_workflow
from tests.e2e.conftest import fill_form, log_in
from tests.factories.home import make_home_page
from tests.factories.town import VillageFactory
from tests.products.farmer_fixtures import make_farmer

pytestmark = pytest.mark.e2e


@pytest.fixture
def farmer(transactional_db):
    make_home_page()
    ensure_product_workflow()
    return make_farmer(village=VillageFactory(name="桃花坞", slug="taohuawu"), display_name="王大姐")


@pytest.fixture
def strawberry_photo(tmp_path):
    """A real 1200×900 JPEG, as a phone camera would hand over (smaller, but a true image)."""
    path = tmp_path / "strawberries.jpg"
    image = Image.new("RGB", (1200, 900), (214, 40, 57))
    for x in range(0, 1200, 100):  # some structure, so it is not one flat colour
        image.paste((250, 250, 240), (x, 0, x + 20, 900))
    image.save(path, format="JPEG", quality=85)
    return path


def test_farmer_adds_a_product_with_a_photo_from_a_phone_and_sends_it_for_review(
    journey, farmer, strawberry_photo
):
    page = journey.new_page(phone=True)
    log_in(page, farmer.user)
    page.goto(reverse("farmer_products"))
    journey.shot(page, "my-products")
    assert page.locator(".farmer-list .farmer-card").count() == 0

    page.locator(f'a[href="{reverse("farmer_product_create")}"]').first.click()
    page.wait_for_url(re.compile(re.escape(reverse("farmer_product_create")) + "$"))
    form = page.locator("main form").filter(has=page.locator('[name="price_yuan"]'))
    fill_form(
        page,
        form,
        {
            "name": "奶油草莓",
            "category": "fruit",
            "price_yuan": "35.50",
            "unit": "jin",
            "remaining": "40",
            "description": "山脚大棚里的草莓，当天摘。",
            "offers_pickup": True,
            "origin_village": str(farmer.village.pk),
        },
    )
    form.locator('input[name="months_in_season"][value="3"]').check()
    form.locator('input[name="months_in_season"][value="4"]').check()
    # The camera input: on a phone it opens the camera; the test hands it the picture taken.
    camera = form.locator('input[name="photos"]')
    assert camera.get_attribute("capture") == "environment"
    camera.set_input_files(str(strawberry_photo))
    journey.shot(page, "new-product")
    form.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/farmer/products/\d+/$"))
    journey.shot(page, "saved-draft")

    product = Product.objects.get(producer=farmer)
    assert (product.name, product.price_fen, product.stock, product.unit) == ("奶油草莓", 3550, 40, "jin")
    latest = product.get_latest_revision_as_object()
    photos = [photo for photo in latest.photos.all() if photo.image_id]
    assert len(photos) == 1
    image = get_image_model().objects.get(pk=photos[0].image_id)
    assert (image.width, image.height) == (1200, 900)
    assert page.locator(".farmer-photos li").count() == 1
    assert page.locator("[data-status]").first.get_attribute("data-status") == "draft"

    # Send it for review: the list now shows it waiting for the moderator.
    page.locator(f'form[action="{reverse("farmer_product_submit", args=[product.pk])}"] button').click()
    page.wait_for_url(re.compile(re.escape(reverse("farmer_products")) + "$"))
    journey.shot(page, "sent-for-review")
    card = page.locator(f'.farmer-card[data-product="{product.pk}"]')
    assert card.count() == 1
    assert "奶油草莓" in card.inner_text()
    assert card.locator("[data-status]").get_attribute("data-status") == "in_review"
    # Its photo shows, resized by Wagtail (the live server serves the media files).
    thumbnail = card.locator("img").first
    thumbnail.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete", arg=thumbnail.element_handle())
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    assert "/media/" in thumbnail.get_attribute("src")
    product.refresh_from_db()
    assert product.workflow_in_progress
    assert not product.live

    # Nothing overflows the phone's width.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
