import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from town import geo


def test_one_degree_of_longitude_on_the_equator_is_about_111_km():
    assert geo.haversine_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.01)


def test_distance_from_a_point_to_itself_is_zero():
    assert geo.haversine_km(29.6121, 118.2618, 29.6121, 118.2618) == 0


def test_path_length_sums_the_legs_and_skips_points_without_coordinates():
    points = [(0, 0), (None, None), (0, 1), (1, 1)]
    assert geo.path_length_km(points) == pytest.approx(222.39, abs=0.01)


@pytest.mark.parametrize("value", [-90, 0, 29.6121, 90])
def test_latitude_within_range_is_accepted(value):
    geo.validate_latitude(value)


@pytest.mark.parametrize("value", [91, -90.5])
def test_latitude_out_of_range_is_rejected_with_the_range_in_the_message(value):
    with pytest.raises(ValidationError) as error:
        geo.validate_latitude(value)
    with translation.override("en"):
        assert "between -90 and 90" in error.value.messages[0]


@pytest.mark.parametrize("value", [-181, 180.01])
def test_longitude_out_of_range_is_rejected_with_the_range_in_the_message(value):
    with pytest.raises(ValidationError) as error:
        geo.validate_longitude(value)
    with translation.override("en"):
        assert "between -180 and 180" in error.value.messages[0]
