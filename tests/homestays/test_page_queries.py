"""The homestay pages' SQL budget (issue 21, item 2): a warm page (the visits before made the
renditions and filled the content cache; the full-page cache is off in tests) runs the same
queries for 2 and 50 homestays, or rooms, within the site's budget (tests/pages.py)."""

from datetime import timedelta

import pytest

from homestays.models import Amenity, HomestayGalleryImage, HomestayPage, RoomType
from orders.models import ReservationKind, ReservationStatus
from tests.factories.home import ImageFactory, set_footer, translate
from tests.factories.homestays import HomestayPageFactory, RoomTypeFactory
from tests.factories.orders import ReservationFactory
from tests.factories.town import VillageFactory
from tests.pages import WARM_BUDGET, warm_queries

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

# A homestay page, with or without dates: the homestay with its village (the site, the locale and
# the way to it are remembered, and the village read with it as the index's route joins it:
# home/routing.py). Its rooms with their prices and calendars are remembered with the stock they
# show ({% showingcache %}: a booking, closure or price change makes them a miss), its texts,
# amenities, gallery and map until the next publish ({% contentcache %}).
HOMESTAY_PAGE_WARM = 1
# Search results and the listing without dates: the index, nothing more. The results' fragment is
# remembered per address ({% showingcache %}): a search with the stays' stock tag (any booking or
# cancellation makes it a miss), both with the pages version (rooms, prices, closures) and the
# content version. The form's choices come from the content cache.
RESULTS_WARM = 1
LISTING_WARM = 1
# In English the routing reads the English home page in one query, as the Chinese one
# (home/routing.py: Wagtail's own read it as a plain page, then its specific row); the rooms,
# which read the page's own (translated) rooms, and the results, which read the homestays'
# English pages, are remembered as in Chinese.
ENGLISH = {"page": HOMESTAY_PAGE_WARM, "results": RESULTS_WARM, "listing": LISTING_WARM}
assert max(HOMESTAY_PAGE_WARM, RESULTS_WARM, LISTING_WARM, *ENGLISH.values()) <= WARM_BUDGET

CARDS_PER_PAGE = 12


@pytest.fixture
def town(index_page):
    set_footer(address="青溪镇石板街 1 号")
    return {"village": VillageFactory(), "amenities": list(Amenity.objects.all()[:3])}


def add_homestay(index_page, town, rooms, monday):
    """A homestay as the demo has them: village, amenities, a gallery photo, rooms with and without
    photos, each with a booking on the first night asked for."""
    page = HomestayPageFactory(parent=index_page, village=town["village"], summary="竹林边的老房子")
    HomestayPage.amenities.through.objects.bulk_create(
        [HomestayPage.amenities.through(homestaypage=page, amenity=amenity) for amenity in town["amenities"]]
    )
    HomestayGalleryImage.objects.create(page=page, image=ImageFactory(), caption="院子")
    for n in range(rooms):
        room = RoomTypeFactory(page=page, units=2, photo=ImageFactory() if n % 2 == 0 else None)
        ReservationFactory(
            kind=ReservationKind.STAY,
            object_id=room.pk,
            start_date=monday,
            end_date=monday + timedelta(days=1),
            status=ReservationStatus.CONFIRMED,
        )
    return page


def in_english(page):
    english = translate(page, "en")
    RoomType.objects.filter(page=english).update(name="Garden room")
    return english


def stay(monday):
    check_out = monday + timedelta(days=2)
    return {"check_in": monday.isoformat(), "check_out": check_out.isoformat(), "guests": 2}


@pytest.mark.parametrize("count", [2, 50])
def test_homestay_page_queries_do_not_grow_with_its_rooms(client, index_page, town, monday, en_locale, count):
    page = add_homestay(index_page, town, count, monday)
    english = in_english(page)

    for url, budget in ((page.url, HOMESTAY_PAGE_WARM), (english.url, ENGLISH["page"])):
        queries, response = warm_queries(client, url)
        assert response.text.count('class="room-type"') == count
        assert queries == budget, url
        queries, response = warm_queries(client, url, stay(monday))
        # Every room has one of its two rooms left for the stay: each is priced and bookable.
        assert response.text.count('class="add-stay"') == count
        assert queries == budget, url
    assert response.text.count("Garden room") >= count  # the English rooms' own names


@pytest.mark.parametrize("count", [2, 50])
def test_search_queries_do_not_grow_with_homestays(client, index_page, town, monday, en_locale, count):
    pages = [add_homestay(index_page, town, 2, monday) for _i in range(count)]
    english_index = in_english(pages[0]).get_parent()
    for page in pages[1:]:
        in_english(page)

    for url, results, listing, room_name in (
        (index_page.url, RESULTS_WARM, LISTING_WARM, "大床房"),
        (english_index.url, ENGLISH["results"], ENGLISH["listing"], "Garden room"),
    ):
        queries, response = warm_queries(client, url, stay(monday))
        assert response.context["result_count"]() == count
        assert room_name in response.text
        assert response.text.count('class="stay-card"') == min(count, CARDS_PER_PAGE)
        assert response.text.count('class="stay-card__photo"') == min(count, CARDS_PER_PAGE)
        assert queries == results, url
        queries, response = warm_queries(client, url)
        assert response.context["result_count"]() == count
        assert response.text.count('class="stay-card__photo"') == min(count, CARDS_PER_PAGE)
        assert queries == listing, url


def test_homestay_page_with_reviews_and_photos_keeps_its_count_in_both_languages(
    client, index_page, town, monday, en_locale
):
    """Issue 21: with reviews the English page ran 13 queries (Wagtail read the English home page
    as a plain page, then its specific row: home/routing.py reads it once). The reviews and their
    photos come from the content cache when warm."""
    from django.utils import timezone

    from products.uploads import check_photo
    from reviews import services
    from tests.factories.accounts import UserFactory, VerifiedUserFactory
    from tests.reviews.fixtures import stay_line
    from tests.reviews.test_photos import photo

    page = add_homestay(index_page, town, 2, monday)
    english = in_english(page)
    room = RoomType.objects.filter(page=page).first()
    editor = UserFactory(is_staff=True)
    for n in range(3):
        line = stay_line(
            VerifiedUserFactory(),
            timezone.localdate() - timedelta(days=10),
            object_id=room.pk,
            page_id=page.pk,
        )
        review = services.write_review(
            line_id=line.pk,
            user=line.order.user,
            rating=5,
            text=f"评价{n}",
            photos=[check_photo(photo(f"{n}.jpg"))] * (n % 2),
        )
        services.publish_review(review, by=editor)
    for url in (page.url, english.url):
        queries, response = warm_queries(client, url)
        assert response.text.count('class="review"') == 3 and response.text.count("fill-160x160") == 1
        assert queries == HOMESTAY_PAGE_WARM <= WARM_BUDGET, url
