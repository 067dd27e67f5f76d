"""Synonyms are a snippet staff edit; a change applies to the next search."""

import pytest
from django.urls import reverse

from search.models import SearchSynonym
from search.service import SearchRequest, search
from tests.factories.accounts import SuperuserFactory
from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.site_search]


def titles(q):
    return [hit.title for hit in search(SearchRequest(q=q)).hits]


@pytest.fixture
def boardwalk(home_page):
    attractions = AttractionIndexPageFactory(parent=home_page)
    return AttractionPageFactory(parent=attractions, title="云端栈道", intro="悬崖上的木栈道。")


def test_the_migration_seeds_the_common_groups():
    groups = [synonym.term_list() for synonym in SearchSynonym.objects.all()]
    assert any({"民宿", "农家乐", "homestay"} <= set(group) for group in groups)
    assert any({"采摘", "picking"} <= set(group) for group in groups)


def test_a_new_synonym_applies_to_the_next_search(boardwalk):
    assert titles("boardwalk") == []  # warms the cached synonym map
    SearchSynonym.objects.create(terms="栈道, boardwalk, plank road")
    assert titles("boardwalk") == ["云端栈道"]


def test_a_deleted_synonym_stops_applying(boardwalk):
    synonym = SearchSynonym.objects.create(terms="栈道, boardwalk")
    assert titles("boardwalk") == ["云端栈道"]
    synonym.delete()
    assert titles("boardwalk") == []


def test_staff_list_and_add_synonyms_in_the_admin(client):
    client.force_login(SuperuserFactory())
    listing = client.get(reverse("wagtailsnippets_sitesearch_searchsynonym:list"))
    assert listing.status_code == 200
    assert "农家乐" in listing.content.decode()
    response = client.post(
        reverse("wagtailsnippets_sitesearch_searchsynonym:add"), {"terms": "竹筏, bamboo raft", "note": ""}
    )
    assert response.status_code == 302
    assert SearchSynonym.objects.filter(terms="竹筏, bamboo raft").exists()
