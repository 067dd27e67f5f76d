"""The study-tour index and programme pages are fragments cached until the next publish
({% contentcache %}): a publish shows on the next request, each language shows its own words,
each filter its own programmes. The full-page cache is off (config.settings.test)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.models import ProgrammePriceTier
from tests.factories.home import translate

from .conftest import make_programme

pytestmark = pytest.mark.django_db


def cached(client, url, data=None):
    """The page once its fragment is stored (the first visit also makes the footer settings row,
    which bumps the content version); proved to come from the cache: no price tier is read (the
    listing and the programme page read them when they render)."""
    for _visit in range(2):
        client.get(url, data)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200
    assert not any("groups_programmepricetier" in query["sql"] for query in queries.captured_queries)
    return response.text


def test_a_publish_shows_on_the_index_and_the_page_at_once(client, programme_index):
    page = make_programme(programme_index, "tea", tiers=[(30, 26000)])
    assert "茶山研学" in cached(client, programme_index.url)
    assert "¥260" in cached(client, page.url)
    page.title = "茶山两日研学"
    page.save_revision().publish()
    assert "茶山两日研学" in client.get(programme_index.url).text
    assert "茶山两日研学" in client.get(page.url).text
    ProgrammePriceTier.objects.filter(page=page).update(price_per_pupil_day_fen=25000)
    page.save_revision().publish()  # the tier as the editor changed it
    assert "¥250" in client.get(page.url).text and "¥250" in client.get(programme_index.url).text


def test_a_new_programme_and_an_unpublished_one_show_at_once(client, programme_index):
    tea = make_programme(programme_index, "tea")
    cached(client, programme_index.url)
    make_programme(programme_index, "farm", title="农场一日")
    assert "农场一日" in client.get(programme_index.url).text
    tea.unpublish()
    assert "茶山研学" not in client.get(programme_index.url).text


def test_each_language_shows_its_own_words(client, programme_index, en_locale):
    page = make_programme(programme_index, "tea")
    english = translate(page, "en", title="Tea hill study tour")
    english_index = english.get_parent()
    chinese_index = cached(client, programme_index.url)
    english_listing = cached(client, english_index.url)
    assert "茶山研学" in chinese_index and "Tea hill study tour" not in chinese_index
    assert "Tea hill study tour" in english_listing and "Ask for a group quote" in english_listing
    assert "Ask for a group quote" not in chinese_index
    english_page = cached(client, english.url)
    assert "Learning goals" in english_page and "Learning goals" not in cached(client, page.url)


def test_each_filter_is_cached_apart(client, programme_index):
    make_programme(programme_index, "tea")
    make_programme(programme_index, "farm", title="农场一日", age_groups=["junior"])
    everything = cached(client, programme_index.url)
    junior = cached(client, programme_index.url, {"age": "junior"})
    assert "茶山研学" in everything and "农场一日" in everything
    assert "茶山研学" not in junior and "农场一日" in junior
    assert 'value="junior" selected' in junior and 'value="junior" selected' not in everything
