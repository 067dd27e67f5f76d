"""Editors add an experience with its schedule in the Wagtail admin; publishing makes its slots;
staff adjust a slot's capacity in the slot listing (cancelling has its own page)."""

import datetime

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield
from wagtail.users.models import UserProfile

from attractions.models import ExperiencePage, TourSlot
from orders.reservations import local_today
from tests.factories.accounts import SuperuserFactory
from tests.factories.attractions import TourSlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = SuperuserFactory()
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client


def experience_form(schedules, **overrides):
    data = {
        "title": "草莓采摘",
        "slug": "strawberry",
        "kind": "picking",
        "intro": "采草莓。",
        "body": streamfield([]),
        "duration_minutes": "120",
        "meeting_note": "",
        "what_to_bring": "",
        "price_adult_fen": "8000",
        "price_child_fen": "4000",
        "child_until_age": "14",
        "free_under_age": "3",
        "min_age": "0",
        "max_age": "",
        "capacity": "12",
        "people_per_pitch": "4",
        "cancellation_policy": "flexible",
        "schedules": inline_formset(schedules),
        "closed_dates": inline_formset([]),
        "action-publish": "publish",
    }
    data.update(overrides)
    return nested_form_data(data)


def add_url(parent):
    return reverse("wagtailadmin_pages:add", args=("attractions", "experiencepage", parent.pk))


def weekdays(**days):
    names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    return {name: "on" for name in names if days.get(name, True)}


def test_editor_adds_and_publishes_an_experience_which_makes_its_slots(admin_client, attraction_index):
    tomorrow = local_today() + datetime.timedelta(days=1)
    schedule = {
        "start_times": "09:00, 14:00",
        "valid_from": tomorrow.isoformat(),
        "valid_until": "",
        **weekdays(),
    }
    response = admin_client.post(add_url(attraction_index), experience_form([schedule]))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    page = ExperiencePage.objects.get(slug="strawberry")
    assert page.live
    assert page.slots.count() == 89 * 2


def test_bad_start_times_are_refused_in_the_admin(admin_client, attraction_index):
    schedule = {"start_times": "9点", "valid_from": "", "valid_until": "", **weekdays()}
    response = admin_client.post(add_url(attraction_index), experience_form([schedule]))
    assert response.status_code == 200
    assert "is not a time" in response.text
    assert not ExperiencePage.objects.filter(slug="strawberry").exists()


def test_staff_list_slots_and_change_capacity_but_cancel_only_through_its_page(admin_client, picking):
    """Setting the status by hand would skip the refunds: the form shows it read-only, and the
    list and the edit page link to the cancellation page (test_tour_call_off_admin.py)."""
    slot = TourSlotFactory(experience=picking)
    call_off = reverse("wagtailsnippets_attractions_tourslot:call_off", args=(slot.pk,))
    listing = admin_client.get(reverse("wagtailsnippets_attractions_tourslot:list"))
    assert listing.status_code == 200
    assert picking.title in listing.text
    assert call_off in listing.text
    edit = reverse("wagtailsnippets_attractions_tourslot:edit", args=(slot.pk,))
    page = admin_client.get(edit)
    assert page.status_code == 200
    assert call_off in page.text
    response = admin_client.post(edit, {"capacity": "4", "status": "cancelled"})
    assert response.status_code == 302
    slot = TourSlot.objects.get(pk=slot.pk)
    assert (slot.capacity, slot.status, slot.effective_capacity) == (4, "open", 4)
