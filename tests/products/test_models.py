"""Products, producers and the shop's constraints."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from products.dashboard.forms import ProducerForm
from products.models import Product, clean_months, season_mask
from tests.factories.products import ProducerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_stock_cannot_go_negative_in_the_database(product):
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(stock=-1)


def test_price_must_be_positive_in_the_database(product):
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(price_fen=0)


def test_months_are_normalised_and_give_the_season_mask(db):
    product = ProductFactory(months_in_season=[5, "4", 4])
    product.refresh_from_db()
    assert product.months_in_season == [4, 5]
    assert product.season_mask == (1 << 4) | (1 << 5)


@pytest.mark.parametrize("months", [[0], [13], ["may"], "5", [True], {"5": 1}])
def test_bad_months_are_refused(months):
    with pytest.raises(ValidationError):
        clean_months(months)


def test_season_mask_of_no_months_is_zero():
    assert season_mask([]) == 0


def test_a_product_must_offer_one_way_of_delivery(db):
    product = ProductFactory.build(
        producer=ProducerFactory(), offers_pickup=False, offers_homestay_delivery=False, offers_shipping=False
    )
    with pytest.raises(ValidationError):
        product.clean()


def test_supported_household_is_staff_only_and_off_by_default(db):
    producer = ProducerFactory()
    assert producer.supported_household is False
    # The farmer's own form cannot set it: only staff do, in the admin.
    assert "supported_household" not in ProducerForm().fields


def test_product_url_lives_under_the_shop(product, shop):
    assert product.get_absolute_url() == f"{shop.url}{product.pk}/{product.slug}/"
    assert product.slug == "奶油草莓"
