"""Hosts and calendar sync in the Wagtail admin: their export addresses, their external calendars
(and nobody else's), broken feeds shown in the listing."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import HOSTS
from homestays.models import ExternalCalendar, RoomType
from homestays.services import grant_host_access
from tests.factories.homestays import HomestayPageFactory, RoomTypeFactory

pytestmark = pytest.mark.django_db


def hosted_room(index_page, django_user_model, email):
    host = django_user_model.objects.create_user(email, password="pw-not-used")
    host.groups.add(Group.objects.get_or_create(name=HOSTS)[0])
    page = HomestayPageFactory(parent=index_page, host=host)
    room = RoomTypeFactory(page=page)
    grant_host_access(page)
    return host, room


@pytest.fixture
def host_a(index_page, django_user_model):
    return hosted_room(index_page, django_user_model, "a@example.com")


@pytest.fixture
def host_b(index_page, django_user_model):
    return hosted_room(index_page, django_user_model, "b@example.com")


def test_a_host_sees_the_export_address_of_their_own_rooms_only(client, host_a, host_b):
    (user, room), (_other, other_room) = host_a, host_b
    client.force_login(user)
    response = client.get(reverse("homestays_calendar_exports"))
    assert response.status_code == 200
    assert reverse("homestays_room_type_ical", args=[room.ical_token]) in response.content.decode()
    assert other_room.ical_token not in response.content.decode()


def test_the_external_calendar_listing_shows_only_the_hosts_calendars_with_their_errors(
    client, host_a, host_b
):
    (user, room), (_other, other_room) = host_a, host_b
    ExternalCalendar.objects.create(
        room_type=room, name="Airbnb", url="https://a.example/cal.ics", last_error="The calendar is empty."
    )
    ExternalCalendar.objects.create(room_type=other_room, name="Ctrip", url="https://b.example/cal.ics")
    client.force_login(user)
    response = client.get(reverse("external_calendars:index"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "a.example" in content and "The calendar is empty." in content
    assert "b.example" not in content


def test_a_host_cannot_open_another_hosts_calendar(client, host_a, host_b):
    (user, _room), (_other, other_room) = host_a, host_b
    calendar = ExternalCalendar.objects.create(
        room_type=other_room, name="Ctrip", url="https://b.example/c.ics"
    )
    client.force_login(user)
    response = client.get(reverse("external_calendars:edit", args=[calendar.pk]))
    # Wagtail turns a permission denial into a redirect to the dashboard.
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_a_host_adding_a_calendar_with_a_bad_scheme_gets_a_form_error(client, host_a):
    user, room = host_a
    client.force_login(user)
    response = client.post(
        reverse("external_calendars:add"),
        {"room_type": room.pk, "name": "Other", "url": "ftp://x.example/c.ics"},
    )
    assert response.status_code == 200
    assert not ExternalCalendar.objects.exists()


def test_a_host_adding_a_calendar_has_it_synced_at_once(
    client, host_a, monkeypatch, django_capture_on_commit_callbacks
):
    user, room = host_a
    synced = []
    monkeypatch.setattr("homestays.tasks.sync_external_calendar", lambda calendar: synced.append(calendar.pk))
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("external_calendars:add"),
            {"room_type": room.pk, "name": "Airbnb", "url": "https://a.example/c.ics"},
        )
    assert response.status_code == 302
    calendar = ExternalCalendar.objects.get()
    assert calendar.room_type == room
    assert synced == [calendar.pk]


def test_a_host_cannot_add_a_calendar_to_another_hosts_room(client, host_a, host_b):
    (user, _room), (_other, other_room) = host_a, host_b
    client.force_login(user)
    response = client.post(
        reverse("external_calendars:add"),
        {"room_type": other_room.pk, "name": "X", "url": "https://x.example/c.ics"},
    )
    assert response.status_code == 200  # the form refuses the choice
    assert not ExternalCalendar.objects.exists()
    assert RoomType.objects.filter(pk=other_room.pk).exists()


@pytest.mark.parametrize("view", ["history", "history_results", "usage", "edit", "delete"])
def test_a_host_opens_the_object_views_of_their_own_calendar_and_not_anothers(client, host_a, host_b, view):
    (user, room), (_other, other_room) = host_a, host_b
    mine = ExternalCalendar.objects.create(room_type=room, name="Airbnb", url="https://a.example/c.ics")
    theirs = ExternalCalendar.objects.create(
        room_type=other_room, name="Ctrip", url="https://b.example/c.ics"
    )
    client.force_login(user)
    assert client.get(reverse(f"external_calendars:{view}", args=[mine.pk])).status_code == 200
    response = client.get(reverse(f"external_calendars:{view}", args=[theirs.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
