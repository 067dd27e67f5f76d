"""The core's one resolution of ids to the rows that carry the inventory (orders.inventory)."""

import pytest
from django.contrib.auth.models import Group

from orders.exceptions import InvalidClaim
from orders.inventory import canonical_ids
from orders.reservations import Claim, reserve
from products.models import Product
from tests.factories.orders import InventoryRowFactory
from tests.factories.products import ProductFactory

pytestmark = pytest.mark.django_db

JUNK = [0, -3, True, "7", 7.0, None, 2**63, 10**30]


def test_rows_of_a_model_without_translations_are_their_own():
    first, second = InventoryRowFactory(), InventoryRowFactory()
    missing = second.pk + 1000
    assert canonical_ids(Group, [first.pk, second.pk, missing, *JUNK]) == {
        first.pk: first.pk,
        second.pk: second.pk,
    }


def test_a_translation_maps_to_its_default_locale_original(en_locale):
    original = ProductFactory()
    copy = original.copy_for_translation(en_locale)
    copy.save()
    english_only = ProductFactory(locale=en_locale)
    ids = [original.pk, copy.pk, english_only.pk, *JUNK]
    assert canonical_ids(Product, ids) == {original.pk: original.pk, copy.pk: original.pk}


def test_reserve_refuses_a_copy_without_an_original(en_locale):
    english_only = ProductFactory(locale=en_locale, stock=5)
    with pytest.raises(InvalidClaim):
        reserve([Claim("product", english_only.pk, 1)])
