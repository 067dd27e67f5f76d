"""The tests switch Wagtail's own indexes off (tests/conftest.py WagtailIndexes): its admin search
index and its reference index. A test marked ``wagtail_indexing`` gets both back, as production
has them."""

import pytest
from wagtail.models import Page, ReferenceIndex

from tests.factories.attractions import AttractionPageFactory, ImageFactory

pytestmark = pytest.mark.django_db


def admin_search(words):
    return [page.pk for page in Page.objects.search(words)]


@pytest.mark.wagtail_indexing
def test_a_marked_test_has_the_admin_search_and_the_references_kept_on_save(home_page):
    image = ImageFactory()
    page = AttractionPageFactory(parent=home_page, title="Stone Arch Bridge", image=image)
    assert page.pk in admin_search("Stone Arch Bridge")
    assert ReferenceIndex.get_references_to(image).filter(object_id=str(page.pk)).exists()


def test_other_tests_save_without_updating_them(home_page):
    image = ImageFactory()
    page = AttractionPageFactory(parent=home_page, title="Stone Arch Bridge", image=image)
    assert page.pk not in admin_search("Stone Arch Bridge")
    assert not ReferenceIndex.get_references_to(image).exists()
