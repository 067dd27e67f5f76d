"""The demo homestays: loaded by ``load_demo``, idempotent, bookable data for the next 12 months."""

from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from wagtail.models import GroupPagePermission, Locale

from accounts.roles import HOSTS
from homestays.demo import HOMESTAYS, holiday_periods, load_demo_homestays
from homestays.models import HomestayIndexPage, HomestayPage, RateRuleKind, RoomRateRule, RoomType
from orders.models import Reservation, ReservationKind, ReservationStatus
from orders.reservations import local_today

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "pages": HomestayPage.objects.count(),
        "room_types": RoomType.objects.count(),
        "rules": RoomRateRule.objects.count(),
        "reservations": Reservation.objects.count(),
        "users": get_user_model().objects.count(),
        "room_type_ids": sorted(RoomType.objects.values_list("pk", flat=True)),
    }


def test_the_demo_has_ten_homestays_in_several_villages_in_both_languages(demo_town):
    default = Locale.get_default()
    zh = HomestayPage.objects.live().filter(locale=default)
    assert zh.count() == len(HOMESTAYS) >= 10
    assert HomestayPage.objects.live().exclude(locale=default).count() == len(HOMESTAYS)
    assert len({page.village_id for page in zh}) >= 5
    assert (
        HomestayIndexPage.objects.filter(locale=default).get().get_parent().specific_class.__name__
        == "HomePage"
    )
    for page in zh:
        assert 1 <= RoomType.objects.canonical_for(page).count() <= 4
        assert page.gallery_images.exists()


def test_every_homestay_has_its_own_verified_host_who_may_edit_it(demo_town):
    pages = list(HomestayPage.objects.filter(locale=Locale.get_default()))
    assert len({page.host_id for page in pages}) == len(pages)
    for page in pages:
        host = page.host
        assert host is not None
        assert host.groups.filter(name=HOSTS).exists()
        assert EmailAddress.objects.filter(user=host, verified=True).exists()
        assert host.check_password("tianyuan-demo")
        assert GroupPagePermission.objects.filter(page=page, group__user=host).exists()
    assert (
        get_user_model().objects.filter(email__startswith="host", email__endswith="@tianyuan.example").count()
        >= 10
    )


@pytest.mark.parametrize("today", [date(2031, 3, 1), date(2041, 12, 31), date(2049, 6, 1)])
def test_the_next_spring_festival_is_known_for_decades(today):
    """Its date comes from a table: loading the demo in years to come still prices 春节."""
    spring = [p for p in holiday_periods(today) if "春节" in p[0]]
    assert len(spring) == 1
    (_note, first, last, _factor, _nights) = spring[0]
    assert today <= first <= last <= today + timedelta(days=366)


@pytest.mark.date_sensitive
def test_rooms_have_prices_holiday_overrides_closures_and_booked_nights(demo_town):
    rooms = RoomType.objects.filter(locale=Locale.get_default())
    assert all(18000 <= rt.base_price_fen <= 88000 for rt in rooms)
    notes = set(RoomRateRule.objects.filter(kind=RateRuleKind.PRICE).values_list("note", flat=True))
    assert any("国庆" in n for n in notes) and any("春节" in n for n in notes)
    year_ahead = local_today() + timedelta(days=365)
    assert RoomRateRule.objects.filter(kind=RateRuleKind.PRICE, start_date__lte=year_ahead).exists()
    assert RoomRateRule.objects.filter(kind=RateRuleKind.CLOSED).count() >= len(HOMESTAYS)
    confirmed = Reservation.objects.filter(kind=ReservationKind.STAY, status=ReservationStatus.CONFIRMED)
    assert confirmed.count() >= len(HOMESTAYS)
    assert set(confirmed.values_list("object_id", flat=True)) <= set(rooms.values_list("pk", flat=True))


def test_loading_again_keeps_the_same_rows(demo_town):
    first = snapshot()
    load_demo_homestays()
    assert snapshot() == first


def test_a_demo_homestay_page_renders_in_both_languages(demo_town, client):
    page = HomestayPage.objects.filter(locale=Locale.get_default()).first()
    assert client.get(page.url).status_code == 200
    english = page.get_translation(Locale.objects.get(language_code="en"))
    assert client.get(english.url).status_code == 200
