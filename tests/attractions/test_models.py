from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from wagtail.models import Locale, PageViewRestriction

from attractions.models import AttractionIndexPage, AttractionPage, ExperiencePage, RoutePage
from home.models import HomePage
from tests.factories.attractions import AttractionPageFactory, RoutePageFactory
from tests.factories.home import translate
from tests.factories.town import VillageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def attraction(attraction_index):
    return AttractionPageFactory(parent=attraction_index)


def test_latitude_above_90_is_rejected_on_the_latitude_field(attraction):
    attraction.latitude = Decimal("91")
    with pytest.raises(ValidationError) as error:
        attraction.full_clean()
    with translation.override("en"):
        assert "Latitude must be between -90 and 90" in " ".join(error.value.message_dict["latitude"])


def test_longitude_below_minus_180_is_rejected_on_the_longitude_field(attraction):
    attraction.longitude = Decimal("-181")
    with pytest.raises(ValidationError) as error:
        attraction.full_clean()
    with translation.override("en"):
        assert "Longitude must be between -180 and 180" in " ".join(error.value.message_dict["longitude"])


def test_a_coordinate_that_is_not_a_number_is_rejected(attraction):
    attraction.latitude = "north"
    with pytest.raises(ValidationError) as error:
        attraction.full_clean()
    assert [e.code for e in error.value.error_dict["latitude"]] == ["invalid"]


def test_latitude_without_longitude_is_rejected(attraction):
    attraction.longitude = None
    with pytest.raises(ValidationError) as error:
        attraction.full_clean()
    with translation.override("en"):
        assert error.value.message_dict["longitude"] == ["Give both latitude and longitude, or neither."]


def test_village_with_latitude_out_of_range_is_rejected(db):
    village = VillageFactory.build(latitude=Decimal("91"), locale=Locale.get_default())
    with pytest.raises(ValidationError) as error:
        village.full_clean()
    assert "latitude" in error.value.message_dict


def test_village_slug_is_unique_within_a_language(db):
    VillageFactory(slug="chashan")
    duplicate = VillageFactory.build(slug="chashan", locale=Locale.get_default())
    with pytest.raises(ValidationError):
        duplicate.full_clean()


def test_attraction_pages_go_only_under_the_attraction_index(home_page, attraction_index):
    assert AttractionPage.can_create_at(attraction_index)
    assert not AttractionPage.can_create_at(home_page)


def test_attraction_index_goes_under_the_home_page_and_takes_attractions_and_routes(home_page):
    assert AttractionIndexPage.can_create_at(home_page)
    assert set(AttractionIndexPage.allowed_subpage_models()) == {AttractionPage, RoutePage, ExperiencePage}


def test_attraction_page_takes_no_children():
    assert AttractionPage.allowed_subpage_models() == []


def test_route_goes_under_the_attraction_index_or_the_home_page():
    assert set(RoutePage.allowed_parent_page_models()) == {AttractionIndexPage, HomePage}


def test_nearby_lists_other_attractions_closest_first_and_not_itself(attraction_index):
    here = AttractionPageFactory(parent=attraction_index, latitude="29.600000", longitude="118.200000")
    far = AttractionPageFactory(parent=attraction_index, latitude="29.700000", longitude="118.200000")
    near = AttractionPageFactory(parent=attraction_index, latitude="29.610000", longitude="118.200000")
    middle = AttractionPageFactory(parent=attraction_index, latitude="29.650000", longitude="118.200000")
    assert [page.pk for page in here.nearby()] == [near.pk, middle.pk, far.pk]


def test_nearby_gives_the_distance_in_km(attraction_index):
    here = AttractionPageFactory(parent=attraction_index, latitude="0", longitude="0")
    AttractionPageFactory(parent=attraction_index, latitude="0", longitude="1")
    assert here.nearby()[0].distance_km == 111.2


def test_nearby_stops_at_the_limit(attraction_index):
    here = AttractionPageFactory(parent=attraction_index)
    for _ in range(3):
        AttractionPageFactory(parent=attraction_index)
    assert len(here.nearby(limit=2)) == 2


def test_nearby_leaves_out_drafts_private_pages_and_other_languages(attraction_index):
    here = AttractionPageFactory(parent=attraction_index)
    AttractionPageFactory(parent=attraction_index, publish=False)
    private = AttractionPageFactory(parent=attraction_index)
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    chinese = AttractionPageFactory(parent=attraction_index)
    translate(chinese, title="Old Bridge")
    assert [page.pk for page in here.nearby()] == [chinese.pk]


def test_route_total_distance_follows_the_stops_in_order(attraction_index):
    a = AttractionPageFactory(parent=attraction_index, latitude="0", longitude="0")
    b = AttractionPageFactory(parent=attraction_index, latitude="0", longitude="1")
    c = AttractionPageFactory(parent=attraction_index, latitude="1", longitude="1")
    route = RoutePageFactory(parent=attraction_index, stops=[a, b, c])
    # Two legs of one degree each on a sphere of radius 6371.0088 km: 2 × 111.195 km.
    assert route.total_distance_km() == pytest.approx(222.4, abs=0.1)


def test_route_distance_skips_unpublished_stops(attraction_index):
    a = AttractionPageFactory(parent=attraction_index, latitude="0", longitude="0")
    b = AttractionPageFactory(parent=attraction_index, latitude="0", longitude="1")
    c = AttractionPageFactory(parent=attraction_index, latitude="0", longitude="2")
    route = RoutePageFactory(parent=attraction_index, stops=[a, b, c])
    c.unpublish()
    assert route.total_distance_km() == pytest.approx(111.2, abs=0.1)


def test_structured_data_is_a_tourist_attraction_with_geo_and_address(attraction):
    data = attraction.structured_data()
    assert data["@type"] == "TouristAttraction"
    assert data["name"] == attraction.title
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 29.6121, "longitude": 118.2618}
    assert data["address"]["streetAddress"] == "青溪镇石板街 1 号"
    assert data["url"].endswith(attraction.url)
