"""The demo town loader: complete, idempotent, and what it makes renders.

The town is loaded once for the module (``demo_town``); loading twice is in test_load_twice.py.
"""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from accounts import roles
from attractions.models import AttractionCategory, AttractionPage, RoutePage
from events.models import EventPage
from home.demo.content import PHONE_USERS, USERS
from home.models import HomePage, StandardPage
from town.demo.base import DEMO_PASSWORD
from town.models import Village

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def event_start(event):
    start = event.start
    return timezone.localdate(start) if isinstance(start, datetime.datetime) else start


def test_demo_town_has_villages_attractions_routes_festivals_and_users(client, demo_town):
    zh = Locale.objects.get(language_code="zh-hans")
    en = Locale.objects.get(language_code="en")

    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert site.root_page.locale == zh
    # Wagtail's "Welcome" page is gone: every page below the root is ours.
    assert not Page.objects.filter(depth=2).exclude(content_type__model="homepage").exists()

    assert Village.objects.filter(locale=zh).count() >= 5
    assert Village.objects.filter(locale=en).count() == Village.objects.filter(locale=zh).count()

    attractions = AttractionPage.objects.live().filter(locale=zh)
    assert attractions.count() >= 12
    assert set(attractions.values_list("category", flat=True)) == set(AttractionCategory.values)
    assert all(page.latitude and page.longitude and page.image_id for page in attractions)
    assert AttractionPage.objects.live().filter(locale=en).count() == attractions.count()
    assert all(page.village.locale == en for page in AttractionPage.objects.filter(locale=en))

    routes = RoutePage.objects.live().filter(locale=zh)
    assert routes.count() == 2
    for route in routes:
        stops = list(route.stops.all())
        assert 4 <= len(stops) <= 6
        assert len({stop.attraction.village_id for stop in stops}) >= 2  # crosses villages
    en_route = RoutePage.objects.live().filter(locale=en).first()
    assert all(stop.attraction.locale == en for stop in en_route.stops.all())

    events = EventPage.objects.live().filter(locale=zh)
    assert events.count() == 4
    today = timezone.localdate()
    for event in events:
        start = event_start(event)
        assert today < start <= today + datetime.timedelta(days=366)

    about = StandardPage.objects.get(locale=zh, slug="about")
    assert {"heading", "paragraph", "image", "table", "call_to_action"} <= {b.block_type for b in about.body}
    getting_here = StandardPage.objects.get(locale=zh, slug="getting-here")
    assert "map_point" in {block.block_type for block in getting_here.body}

    for page in [*attractions[:1], *routes[:1], *events[:1], *StandardPage.objects.live()]:
        assert client.get(page.url).status_code == 200
        english = page.get_translation(en)
        assert english.live
        assert client.get(english.url).status_code == 200

    # One verified user per role, plus the admin.
    User = get_user_model()
    for email, _name, role, _staff, superuser in USERS:
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.filter(user=user, email=email, verified=True, primary=True).exists()
        assert user.has_verified_email
        if role:
            assert roles.user_in_group(user, role)
        assert user.is_superuser == superuser
    # And a visitor with only a mobile number, who logs in by SMS code.
    for phone, _name, role in PHONE_USERS:
        user = User.objects.get(phone_number=phone)
        assert user.email is None and user.has_verified_phone and not user.has_usable_password()
        assert roles.user_in_group(user, role)
