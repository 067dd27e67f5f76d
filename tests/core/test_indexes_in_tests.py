"""The tests switch the indexes kept on save off (tests/conftest.py): Wagtail's admin search index
and reference index (WagtailIndexes) and the site search's own index (SiteSearchIndex). A test
marked ``wagtail_indexing`` or ``site_search`` gets them back, as production has them."""

import pytest
from wagtail.models import Page, ReferenceIndex

from search.models import SearchEntry
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


def site_search_entries(page):
    return SearchEntry.objects.filter(object_pk=page.pk, name=page.title)


@pytest.mark.site_search
def test_a_marked_test_has_the_site_search_index_kept_on_save(home_page):
    page = AttractionPageFactory(parent=home_page, title="石拱桥")
    assert site_search_entries(page).exists()


def test_other_tests_publish_without_indexing_for_the_site_search(home_page):
    page = AttractionPageFactory(parent=home_page, title="石拱桥")
    assert not site_search_entries(page).exists()
