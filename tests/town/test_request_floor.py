"""What every public page pays: the remembered routes and sites (home.routing, town.sites), the
shared versions read once per request (town.cache) and the shell's cached parts. Each is
remembered only until an edit: the next request after it must see the edit."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory
from tests.factories.home import translate
from town.cache import PAGES_CLOCK_KEY, VERSION_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def attraction(home_page):
    index = AttractionIndexPageFactory(parent=home_page)
    return AttractionPageFactory(parent=index, title="青溪古桥", slug="old-bridge")


def warm(client, url):
    for _i in range(2):
        assert client.get(url).status_code == 200


def test_a_warm_page_is_read_in_one_query_without_the_site_locale_or_its_parents(client, attraction):
    warm(client, attraction.url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(attraction.url)
    assert "青溪古桥" in response.text
    tables = [query["sql"].split(" FROM ", 1)[1].split()[0] for query in queries.captured_queries]
    assert not any("wagtailcore_site" in table or "wagtailcore_locale" in table for table in tables)
    # The page itself (its page and attraction rows in one join), nothing of the walk to it.
    assert len(queries.captured_queries) == 1


def test_a_renamed_page_answers_at_its_new_address_on_the_next_request(client, attraction):
    old_url = attraction.url
    warm(client, old_url)

    attraction.slug = "stone-bridge"
    attraction.save_revision().publish()

    assert client.get(old_url).status_code == 404
    assert "青溪古桥" in client.get("/attractions/stone-bridge/").text


def test_an_unpublished_page_is_gone_on_the_next_request(client, attraction):
    warm(client, attraction.url)

    attraction.unpublish()

    assert client.get(attraction.url).status_code == 404


def test_a_page_moved_elsewhere_answers_at_its_new_address(client, home_page, attraction):
    warm(client, attraction.url)

    attraction.move(home_page, pos="last-child")

    old = client.get("/attractions/old-bridge/")
    # Not the page from where it was: Wagtail's redirect, made by the move, to where it is now.
    assert old.status_code == 301 and old["Location"].endswith("/old-bridge/")
    assert "青溪古桥" in client.get("/old-bridge/").text


def test_a_page_changed_without_a_signal_is_still_read_fresh(client, attraction):
    """Only which page answers is remembered, never the page: its row is read on each request."""
    warm(client, attraction.url)

    type(attraction).objects.filter(pk=attraction.pk).update(title="青溪廊桥", intro="新的介绍。")

    assert "青溪廊桥" in client.get(attraction.url).text


def test_english_and_chinese_addresses_are_remembered_apart(client, attraction):
    index = attraction.get_parent().specific
    translate(index, "en", title="Attractions")
    translate(attraction, "en", title="Old bridge")
    warm(client, attraction.url)
    warm(client, "/en/attractions/old-bridge/")

    assert "青溪古桥" in client.get(attraction.url).text
    english = client.get("/en/attractions/old-bridge/")
    assert "Old bridge" in english.text and '<html lang="en">' in english.text


def test_a_sites_new_home_page_is_used_on_the_next_request(client, home_page, attraction):
    from tests.factories.home import make_home_page

    warm(client, "/")
    other = make_home_page(title="青溪新首页", slug="new-home")
    site = Site.objects.get(is_default_site=True)
    site.root_page = other
    site.save()

    assert "青溪新首页" in client.get("/").text
    assert client.get(attraction.url).status_code == 404  # not under the new home page


def test_a_page_reads_the_content_version_once(client, attraction, cache_reads):
    warm(client, attraction.url)
    cache_reads.clear()

    client.get(attraction.url)

    assert cache_reads.count(VERSION_KEY) == 1
    assert PAGES_CLOCK_KEY not in cache_reads  # the page cache is off for this visitor


def test_a_publish_during_a_request_is_seen_by_the_rest_of_it():
    from town.cache import bump_content_version, content_version, versions_read_once

    with versions_read_once():
        before = content_version()
        assert content_version() == before  # remembered
        bump_content_version()
        assert content_version() != before


def test_the_cached_header_keeps_each_visitors_own_part(client, attraction):
    warm(client, attraction.url)  # an anonymous visitor fills the header's fragment
    user = get_user_model().objects.create_user("li.hua@example.com", "s3cret-pass-123")
    client.force_login(user)

    body = client.get(attraction.url).text

    assert 'class="account-menu"' in body and 'action="/accounts/logout/"' in body
    assert 'href="/accounts/login/' not in body
    assert 'href="/attractions/" aria-current="page"' in body


def test_the_cached_footer_follows_the_language(client, attraction):
    translate(attraction.get_parent().specific, "en", title="Attractions")
    warm(client, attraction.url)

    english = client.get("/en/attractions/").text
    footer = english[english.index('<footer class="site-footer">') :]
    assert "Visitor centre" in footer
    chinese = client.get(attraction.url).text
    assert "Visitor centre" not in chinese[chinese.index('<footer class="site-footer">') :]
