import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield
from wagtail.users.models import UserProfile

from events.models import EventPage
from tests.factories.accounts import SuperuserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    """A superuser whose admin is in English, so messages can be compared as written."""
    user = SuperuserFactory()
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client


def event_form(**overrides):
    data = {
        "title": "桃花节",
        "slug": "peach-festival",
        "start": "2026-03-20 09:00",
        "end": "2026-03-20 17:00",
        "intro": "",
        "organiser": "青溪镇旅游办",
        "body": streamfield([]),
        "programme": streamfield([("item", {"title": "开幕式", "start_time": "09:30", "end_time": "10:00"})]),
        "ticket_types": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def add_url(parent):
    return reverse("wagtailadmin_pages:add", args=("events", "eventpage", parent.pk))


def test_editor_can_add_an_event_with_a_programme(admin_client, event_index):
    response = admin_client.post(add_url(event_index), event_form())
    assert response.status_code == 302
    event = EventPage.objects.get(slug="peach-festival")
    assert event.programme[0].value["title"] == "开幕式"


def test_event_ending_before_it_starts_is_refused_in_the_admin(admin_client, event_index):
    response = admin_client.post(add_url(event_index), event_form(end="2026-03-19 17:00"))
    assert response.status_code == 200
    assert "The event cannot end before it starts." in response.text
    assert not EventPage.objects.filter(slug="peach-festival").exists()


def test_programme_item_ending_before_it_starts_is_refused(admin_client, event_index):
    programme = streamfield([("item", {"title": "开幕式", "start_time": "10:00", "end_time": "09:00"})])
    response = admin_client.post(add_url(event_index), event_form(programme=programme))
    assert response.status_code == 200
    assert not EventPage.objects.filter(slug="peach-festival").exists()
