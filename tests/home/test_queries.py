"""Query budgets: the home page costs the same whatever it lists, the shell at most three."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home.models import HomePageFeaturedAttraction
from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory
from tests.factories.events import EventIndexPageFactory, EventPageFactory
from tests.factories.home import ImageFactory, set_footer
from tests.pages import cold_and_warm_queries

pytestmark = pytest.mark.django_db

# Warm: the page (the site, the locale and the way to it are remembered: home/routing.py; the
# view restrictions are cached too); the rest is cached. Cold adds
# the link-preview image + rendition; hero images + renditions; sections (nav); featured: chosen,
# restrictions, pages, images, renditions; events: restrictions, pages, images, renditions;
# translations (language links); footer; featured experiences: restrictions and which are featured
# (both cached until the next publish; the cards and their free times are never cached).
HOME_PAGE_COLD, HOME_PAGE_WARM = 25, 1


def fill_home_page(home_page, count):
    attractions = AttractionIndexPageFactory(parent=home_page)
    events = EventIndexPageFactory(parent=home_page)
    for n in range(count):
        attraction = AttractionPageFactory(parent=attractions, image=ImageFactory())
        HomePageFeaturedAttraction.objects.create(page=home_page, attraction=attraction, sort_order=n)
        EventPageFactory(parent=events, image=ImageFactory(), venue=attraction)
    home_page.hero_image = ImageFactory()
    home_page.season_heading = "桃花开了"
    home_page.season_image = ImageFactory()
    home_page.upcoming_events_count = min(count, 12)  # the most the home page lists
    home_page.save_revision().publish()
    set_footer(address="青溪镇石板街 1 号")


def count_queries(client, url):
    client.get(url)  # the first visit makes the renditions; count a warm one
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("count", [2, 50])
def test_home_page_query_count_does_not_grow_with_what_it_lists(client, home_page, count):
    fill_home_page(home_page, count)

    cold, warm, response = cold_and_warm_queries(client, "/")

    body = response.content.decode()
    assert body.count('class="card"') == count
    assert body.count('class="card card--event"') == min(count, 12)
    assert (cold, warm) == (HOME_PAGE_COLD, HOME_PAGE_WARM)


def test_the_shell_costs_at_most_three_queries(client, home_page):
    """The search page without a query does no work of its own: what is left is the shell
    (site, footer settings, navigation)."""
    AttractionIndexPageFactory(parent=home_page)
    set_footer(address="青溪镇石板街 1 号")

    queries, body = count_queries(client, "/search/")

    assert 'href="/attractions/"' in body and "青溪镇石板街 1 号" in body
    assert queries <= 3
