"""The admin page that calls off an event: reached from the page's header menu, it shows what it
touches before staff confirm, and needs the right to publish the page and to manage orders."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from wagtail.users.models import UserProfile

from accounts.roles import EDITORS
from accounts.services import assign_role
from events.models import EventCancellation
from orders.models import OrderStatus
from tests.factories.accounts import SuperuserFactory, UserFactory, VerifiedUserFactory

from .ticket_fixtures import buy_tickets

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]


def english_admin(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def url(event):
    return reverse("events_call_off", args=[event.pk])


def test_staff_see_the_numbers_then_call_the_event_off(
    client, festival, day_pass, free_pass, django_capture_on_commit_callbacks
):
    client.force_login(english_admin(SuperuserFactory()))
    tickets = buy_tickets(VerifiedUserFactory(), day_pass, 2).order
    registration = buy_tickets(VerifiedUserFactory(), free_pass, 1).order
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[festival.pk]))
    assert url(festival) in edit.text  # in the page's header menu

    page = client.get(url(festival))
    assert page.status_code == 200
    summary = page.context["summary"]
    assert (summary.orders, summary.places, summary.unpaid_orders, summary.refund_fen) == (2, 3, 2, 0)
    assert "Cancel and refund 2 orders" in page.text and festival.title in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(festival), {"reason": "台风过境", "confirm": "on"})

    assert (response.status_code, response.url) == (
        302,
        reverse("wagtailadmin_pages:edit", args=[festival.pk]),
    )
    tickets.refresh_from_db()
    registration.refresh_from_db()
    assert {tickets.status, registration.status} == {OrderStatus.CANCELLED}
    assert EventCancellation.objects.get().event_id == festival.pk


def test_an_editor_who_may_publish_but_not_manage_orders_is_refused(client, festival, day_pass):
    editor = english_admin(UserFactory())
    assign_role(editor, EDITORS)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert festival.permissions_for_user(editor).can_publish()

    response = client.post(url(festival), {"reason": "台风", "confirm": "on"})

    assert (response.status_code, response.url) == (302, reverse("wagtailadmin_home"))
    assert not EventCancellation.objects.exists()
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[festival.pk]))
    assert edit.status_code == 200 and url(festival) not in edit.text


def test_other_pages_get_no_call_off_button(client, festival):
    client.force_login(english_admin(SuperuserFactory()))
    index = festival.get_parent()
    assert "/admin/events/cancel/" not in client.get(reverse("wagtailadmin_pages:edit", args=[index.pk])).text
    assert client.get(reverse("events_call_off", args=[index.pk])).status_code == 404
