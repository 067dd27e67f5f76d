""" "This month in the town": the season page (by month) and its home-page block."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from events.models import SeasonPage
from events.season import in_season, parse_month
from home.models import SiteFooterSettings
from tests.factories.attractions import (
    AttractionIndexPageFactory,
    ExperiencePageFactory,
    ImageFactory,
    TourSlotFactory,
)
from tests.factories.events import EventIndexPageFactory, EventPageFactory
from tests.factories.products import ProductFactory, ProductPhotoFactory, ShopPageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

TZ = timezone.get_default_timezone()


@pytest.fixture(autouse=True)
def ten_in_the_morning(time_machine):
    """Today, whatever day the suite runs on, at 10:00 town time: the month always has a later
    hour for a tour, and a festival from 09:00 to 17:00 today is running (so the home page's
    upcoming events list it too). The last minutes of a month have their own tests below."""
    today = timezone.localdate()
    time_machine.move_to(datetime.datetime.combine(today, datetime.time(10), tzinfo=TZ))


def this_month():
    today = timezone.localdate()
    return today.year, today.month


def a_later_day_this_month():
    """Two hours from now: still today, as it is 10:00 (``ten_in_the_morning``)."""
    return timezone.localtime() + datetime.timedelta(hours=2)


def section(html, name):
    """The HTML of the season section ``name`` ("season-festivals", ...), empty when absent."""
    start = html.find(f'class="section {name}"')
    return "" if start < 0 else html[start : html.index("</section>", start)]


@pytest.fixture
def season_page(home_page):
    page = SeasonPage(title="本月田园", slug="this-month", intro="<p>这个月来玩什么。</p>")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def town(home_page):
    """An attractions index, an events index and the shop to put things under."""
    ShopPageFactory(parent=home_page)
    return {
        "attractions": AttractionIndexPageFactory(parent=home_page),
        "events": EventIndexPageFactory(parent=home_page),
    }


def festival_in(index, year, month, title, day=15, **fields):
    start = datetime.datetime(year, month, day, 9, tzinfo=TZ)
    return EventPageFactory(
        parent=index, title=title, start=start, end=start + datetime.timedelta(hours=8), **fields
    )


def picking_tour(index, title, starts_at, capacity=10):
    experience = ExperiencePageFactory(parent=index, title=title, schedules=[], capacity=capacity)
    TourSlotFactory(experience=experience, starts_at=starts_at)
    return experience


def test_parse_month_takes_yyyy_mm_and_defaults_to_this_month():
    assert parse_month("2026-12") == (2026, 12)
    assert parse_month("") == this_month()
    for bad in ("2026-13", "abc", "2026-1x", "1999-01"):
        with pytest.raises(ValueError):
            parse_month(bad)


def test_season_gathers_tours_festivals_and_produce_of_the_month(town):
    year, month = this_month()
    festival = festival_in(town["events"], year, month, "本月节日", day=timezone.localdate().day)
    next_year, next_month = (year + month // 12, month % 12 + 1)
    festival_in(town["events"], next_year, next_month, "下月节日", day=2)
    tour = picking_tour(town["attractions"], "本月采摘", a_later_day_this_month())
    ProductFactory(name="本月草莓", months_in_season=[month])
    ProductFactory(name="别月柿子", months_in_season=[next_month])
    season = in_season(year, month)
    assert [e.pk for e in season.festivals] == [festival.pk]
    assert [e.pk for e in season.experiences] == [tour.pk]
    assert [p.name for p in season.products] == ["本月草莓"]


def test_past_month_lists_no_tours_to_book(town):
    year, month = this_month()
    last_year = year - 1
    festival_in(town["events"], last_year, month, "去年的节")
    season = in_season(last_year, month)
    assert season.experiences == []
    assert [e.title for e in season.festivals] == ["去年的节"]


def test_sold_out_tours_are_left_out(town, visitor):
    year, month = this_month()
    tour = picking_tour(town["attractions"], "满员采摘", a_later_day_this_month(), capacity=1)
    slot = tour.slots.get()
    slot.capacity = 1
    slot.save()
    from orders import reservations

    reservations.reserve([reservations.Claim("tour", slot.pk, 1)], hold_for=datetime.timedelta(hours=1))
    assert in_season(year, month).experiences == []


def test_season_page_shows_the_current_month(client, season_page, town):
    year, month = this_month()
    festival_in(town["events"], year, month, "本月节日", day=timezone.localdate().day)
    response = client.get(season_page.url)
    assert response.status_code == 200
    assert "本月节日" in response.text
    assert f'datetime="{year:04d}-{month:02d}"' in response.text


def test_the_month_turns_at_midnight_town_time(client, season_page, town, time_machine):
    """At 23:50 on 31 December the page is still December's (a tour on 1 January is not in it);
    twenty minutes later it is January's, with that tour and without December's festival."""
    festival_in(town["events"], 2026, 12, "年货节", day=31)
    picking_tour(town["attractions"], "元旦采摘", datetime.datetime(2027, 1, 1, 9, tzinfo=TZ))
    time_machine.move_to(datetime.datetime(2026, 12, 31, 23, 50, tzinfo=TZ))
    december = client.get(season_page.url).text
    assert 'datetime="2026-12"' in december
    assert "年货节" in december and "元旦采摘" not in december
    time_machine.move_to(datetime.datetime(2027, 1, 1, 0, 10, tzinfo=TZ))
    january = client.get(season_page.url).text
    assert 'datetime="2027-01"' in january
    assert "元旦采摘" in january and "年货节" not in january


def test_month_parameter_redirects_to_the_month_address(client, season_page):
    response = client.get(season_page.url, {"month": "2026-12"})
    assert response.status_code == 302
    assert response["Location"] == season_page.url + "2026/12/"


def test_another_month_shows_that_months_festivals(client, season_page, town):
    festival_in(town["events"], 2026, 12, "十二月年货节")
    festival_in(town["events"], 2027, 1, "一月冰雪节")
    response = client.get(season_page.url + "2026/12/")
    assert response.status_code == 200
    assert "十二月年货节" in response.text
    assert "一月冰雪节" not in response.text
    assert season_page.url + "2027/1/" in response.text  # next month link


def test_bad_month_is_a_400_with_a_message(client, english, season_page):
    response = client.get(season_page.url, {"month": "2026-99"})
    assert response.status_code == 400
    with translation.override("zh-hans"):
        assert translation.gettext("There is no such month to show.") in response.text


def test_impossible_month_in_the_address_is_404(client, season_page):
    assert client.get(season_page.url + "2026/13/").status_code == 404


def fill_month(town, year, month, count):
    image = ImageFactory()
    for n in range(count):
        festival_in(town["events"], year, month, f"节日{n}", day=timezone.localdate().day, image=image)
        tour = picking_tour(town["attractions"], f"采摘{n}", a_later_day_this_month())
        tour.image = image
        tour.save()
        product = ProductFactory(name=f"时令{n}", months_in_season=[month])
        ProductPhotoFactory(product=product, image=image)


# Queries of the season page after warming, the same for 2 and 8 of each (the page shows 6 of each
# at most): the page only (the site, the locale and the way to it are remembered: home/routing.py;
# the view restrictions are cached). The month's
# tours, festivals and produce are remembered with the stock they show
# (town.page_cache.cached_showing) until a booking or an edit changes them.
SEASON_PAGE_QUERIES = 1


@pytest.mark.parametrize("count", [2, 8])
def test_season_page_runs_a_fixed_number_of_queries(
    client, season_page, town, count, django_assert_num_queries
):
    year, month = this_month()
    fill_month(town, year, month, count)
    client.get(season_page.url)
    cache.clear()
    client.get(season_page.url)
    with django_assert_num_queries(SEASON_PAGE_QUERIES):
        response = client.get(season_page.url)
    shown = min(count, season_page.items_per_section)
    assert response.text.count('class="card card--event"') == shown
    assert response.text.count('class="card card--experience"') == shown
    assert response.text.count("product-card") >= shown


def test_home_page_block_shows_this_month(client, home_page, season_page, town):
    year, month = this_month()
    festival_in(town["events"], year, month, "本月节日", day=timezone.localdate().day)
    ProductFactory(name="本月草莓", months_in_season=[month])
    home_page.sections = [
        {"type": "this_month", "value": {"heading": "本月看点", "season_page": season_page.pk}}
    ]
    home_page.save_revision().publish()
    html = client.get("/").text
    assert "本月看点" in html
    assert "本月节日" in html and "本月草莓" in html
    assert f'href="{season_page.url}"' in html


# The home page with the block, warm: its fragments and the block's month hit the cache.
HOME_WITH_BLOCK_QUERIES = 1


@pytest.mark.parametrize("count", [2, 8])
def test_home_page_block_runs_a_fixed_number_of_queries(
    client, home_page, town, count, django_assert_num_queries
):
    year, month = this_month()
    fill_month(town, year, month, count)
    home_page.sections = [{"type": "this_month", "value": {"heading": "本月看点", "items_per_section": 3}}]
    home_page.save_revision().publish()
    client.get("/")
    cache.clear()
    client.get("/")
    with django_assert_num_queries(HOME_WITH_BLOCK_QUERIES):
        response = client.get("/")
    # Today's festivals are also the home page's upcoming events (3 by default): only the
    # block's own cards are counted.
    assert section(response.text, "season-festivals").count('class="card card--event"') == min(count, 3)
    assert section(response.text, "season-tours").count('class="card card--experience"') == min(count, 3)


def test_home_page_block_drops_a_tour_once_its_last_place_is_booked(client, home_page, town):
    from orders.reservations import Claim, reserve

    experience = picking_tour(town["attractions"], "最后一位采茶", a_later_day_this_month(), capacity=1)
    home_page.sections = [{"type": "this_month", "value": {"heading": "本月看点", "items_per_section": 3}}]
    home_page.save_revision().publish()
    assert "最后一位采茶" in client.get("/").text
    assert "最后一位采茶" in client.get("/").text  # from the cache now
    reserve([Claim("tour", experience.slots.get().pk, 1)])
    assert "最后一位采茶" not in client.get("/").text


@pytest.fixture
def encodes(monkeypatch):
    """The rendition files made (decoded, resized, encoded by Pillow), as (image pk, spec)."""
    from wagtail.images import get_image_model

    model = get_image_model()
    made = []
    generate = model.generate_rendition_file

    def counted(image, filter, **kwargs):
        made.append((image.pk, filter.spec))
        return generate(image, filter, **kwargs)

    monkeypatch.setattr(model, "generate_rendition_file", counted)
    return made


def uploaded_image():
    """An image as the admin's upload leaves it: its file's hash stored. (Without one, the first
    rendition saves the image to store it, which bumps the content version and so empties every
    cache by chance.)"""
    image = ImageFactory()
    image.get_file_hash()
    return image


@pytest.mark.parametrize("where", ["home", "season page"])
def test_cards_remembered_with_the_month_encode_no_image_again(
    client, home_page, season_page, town, encodes, where
):
    """The month is cached with its cards' images before the page's first render: their
    renditions must be made by then, or Wagtail (which takes prefetched renditions as all there
    are) made each card's image again on every render from the cache (issue 21: the home page at
    5 requests a second after a deploy, 11 encodes a request)."""
    year, month = this_month()
    festival_in(town["events"], year, month, "本月节日", day=timezone.localdate().day, image=uploaded_image())
    tour = picking_tour(town["attractions"], "本月采摘", a_later_day_this_month())
    tour.image = uploaded_image()
    tour.save()
    product = ProductFactory(name="本月草莓", months_in_season=[month])
    ProductPhotoFactory(product=product, image=uploaded_image())
    home_page.sections = [{"type": "this_month", "value": {"heading": "本月看点", "items_per_section": 3}}]
    home_page.save_revision().publish()
    path = "/" if where == "home" else season_page.url
    SiteFooterSettings.for_site(home_page.get_site())  # made on first use: an edit, that empties the caches
    cache.clear()

    first = client.get(path).text
    # The cards' renditions (the product card has two sizes in its srcset), made once.
    assert {"fill-600x400|format-webp", "fill-360x360|format-webp"} <= {spec for _pk, spec in encodes}
    encodes.clear()
    again = client.get(path).text  # the month from the cache
    assert encodes == []
    assert "本月节日" in again and "本月采摘" in again and "本月草莓" in again
    assert again.count(".webp") == first.count(".webp") > 0
