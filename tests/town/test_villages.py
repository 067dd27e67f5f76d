"""Villages: edited as snippets in the admin, and the one query every village dropdown uses."""

import pytest
from django.urls import reverse
from wagtail.models import Locale

from tests.factories.town import VillageFactory
from town.models import Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(english_admin_client):
    return english_admin_client


@pytest.fixture
def village(db):
    return VillageFactory(name="桃花坞", slug="taohuawu")


def test_villages_are_edited_as_snippets(admin_client, village):
    response = admin_client.get(reverse("wagtailsnippets_town_village:list"))
    assert response.status_code == 200
    assert "桃花坞" in response.text


def test_editor_can_add_a_village(admin_client, db):
    response = admin_client.post(
        reverse("wagtailsnippets_town_village:add"),
        {"name": "茶山", "slug": "chashan", "description": "", "latitude": "29.6", "longitude": "118.3"},
    )
    assert response.status_code == 302
    assert Village.objects.get(slug="chashan").name == "茶山"


def test_the_dropdown_offers_the_default_locale_by_name_or_the_locale_given():
    zh = Locale.get_default()
    en = Locale.objects.create(language_code="en")
    VillageFactory(name="Zhuxi", slug="zhuxi")
    peach = VillageFactory(name="Taohuawu", slug="taohuawu")
    english = peach.copy_for_translation(en)
    english.name = "Peach Blossom Hollow"
    english.save()
    assert [v.name for v in Village.objects.in_locale()] == ["Taohuawu", "Zhuxi"]
    assert list(Village.objects.in_locale(zh)) == list(Village.objects.in_locale())
    assert list(Village.objects.in_locale(en)) == [english]
