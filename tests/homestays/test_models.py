from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from homestays.models import (
    CANCELLATION_POLICY_EXPLANATIONS,
    Amenity,
    AmenityCode,
    CancellationPolicy,
    HomestayPage,
    RateRuleKind,
    RoomRateRule,
)
from tests.factories.homestays import RoomTypeFactory

pytestmark = pytest.mark.django_db


def test_fixed_amenities_are_seeded():
    assert set(Amenity.objects.values_list("code", flat=True)) == set(AmenityCode.values)


def test_every_cancellation_policy_is_explained():
    assert set(CANCELLATION_POLICY_EXPLANATIONS) == set(CancellationPolicy)


@pytest.mark.parametrize(("lat", "lng"), [("91", "120"), ("30", "181"), ("-90.5", "0")])
def test_coordinates_out_of_range_are_refused(lat, lng):
    page = HomestayPage(title="x", slug="x", latitude=lat, longitude=lng)
    with pytest.raises(ValidationError) as error:
        page.clean_fields(exclude=["path", "depth", "content_type", "locale", "translation_key"])
    assert {"latitude", "longitude"} & set(error.value.message_dict)


def test_latitude_without_longitude_is_refused():
    with pytest.raises(ValidationError):
        HomestayPage(title="x", slug="x", latitude="30").clean()


def test_rule_ending_before_it_starts_is_refused(room):
    rule = RoomRateRule(
        room_type=room, kind=RateRuleKind.CLOSED, start_date=date(2030, 1, 2), end_date=date(2030, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "end_date" in error.value.message_dict


def test_price_rule_needs_a_price(room):
    rule = RoomRateRule(
        room_type=room, kind=RateRuleKind.PRICE, start_date=date(2030, 1, 1), end_date=date(2030, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "price_fen" in error.value.message_dict


def test_database_refuses_a_price_rule_without_price(room):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomRateRule.objects.create(
            room_type=room, kind=RateRuleKind.PRICE, start_date=date(2030, 1, 1), end_date=date(2030, 1, 1)
        )


def test_database_refuses_a_room_type_without_units(homestay):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomTypeFactory(page=homestay, units=0)


def test_room_type_takes_its_pages_locale(room):
    assert room.locale_id == room.page.locale_id
