from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from attractions.models import AttractionPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(english_admin_client):
    return english_admin_client


def attraction_form(**overrides):
    data = {
        "title": "青溪古桥",
        "slug": "qingxi-bridge",
        "category": "scenic_spot",
        "latitude": "29.6121",
        "longitude": "118.2618",
        "intro": "一座明代石拱桥。",
        "ticket_info": rich_text("<p>免费</p>"),
        "body": streamfield([]),
        "gallery_images": inline_formset([]),
        "tags": "",
    }
    data.update(overrides)
    return nested_form_data(data)


def add_url(parent):
    return reverse("wagtailadmin_pages:add", args=("attractions", "attractionpage", parent.pk))


def test_editor_can_add_an_attraction(admin_client, attraction_index):
    response = admin_client.post(add_url(attraction_index), attraction_form())
    assert response.status_code == 302
    assert AttractionPage.objects.get(slug="qingxi-bridge").latitude == Decimal("29.612100")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latitude", "91", "Latitude must be between -90 and 90"),
        ("longitude", "-181", "Longitude must be between -180 and 180"),
        ("latitude", "north", "Enter a number."),
    ],
)
def test_bad_coordinates_in_the_admin_are_shown_and_nothing_is_saved(
    admin_client, attraction_index, field, value, message
):
    response = admin_client.post(add_url(attraction_index), attraction_form(**{field: value}))
    assert response.status_code == 200
    assert message in response.text
    assert not AttractionPage.objects.filter(slug="qingxi-bridge").exists()
