"""The waiting list through the API (join 201 with the place in line, list with offers, leave) and
its pages in both languages (join, My trips, the offer put in the basket); refusals change nothing."""

import datetime
import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from orders.models import WaitlistEntry, WaitlistStatus
from tests.factories.accounts import UserFactory, VerifiedUserFactory

from .waitlist_fixtures import free_the_tour, wait

pytestmark = [pytest.mark.django_db]

URL = "/api/v1/waitlist"


def post(client, data):
    return client.post(URL, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def waiter(client):
    user = VerifiedUserFactory()
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return user


@pytest.mark.usefixtures("english")
def test_joining_answers_201_with_the_place_in_line(full_tour, waiter, client):
    slot, _trip = full_tour
    wait(slot)
    response = post(client, {"kind": "tour", "slot_id": slot.pk, "quantity": 2})
    assert response.status_code == 201, response.content
    entry = WaitlistEntry.objects.get(user=waiter)
    assert response.json() == {"id": entry.pk, "position": 2}
    assert (entry.quantity, entry.options["adults"]) == (2, 2)


@pytest.mark.usefixtures("english")
def test_refusals_are_409_403_and_422_and_change_nothing(full_tour, trip_things, waiter, client):
    slot, _trip = full_tour
    free = post(client, {"kind": "ticket", "ticket_type_id": trip_things.ticket_type.pk, "quantity": 1})
    assert (free.status_code, free.json()["code"]) == (409, "not_sold_out")
    assert "book it now" in free.json()["detail"]
    assert post(client, {"kind": "tour", "slot_id": slot.pk, "quantity": 1}).status_code == 201
    twice = post(client, {"kind": "tour", "slot_id": slot.pk, "quantity": 1})
    assert (twice.status_code, twice.json()["code"]) == (409, "already_waiting")
    bad = post(client, {"kind": "tour", "slot_id": slot.pk, "quantity": 0})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "quantity"]
    assert post(client, {"kind": "product", "product_id": 1, "quantity": 1}).status_code == 422
    client.force_login(UserFactory())
    unverified = post(client, {"kind": "tour", "slot_id": slot.pk, "quantity": 1})
    assert (unverified.status_code, unverified.json()["code"]) == (403, "unverified_email")
    assert WaitlistEntry.objects.count() == 1


@pytest.mark.usefixtures("english")
def test_the_list_shows_entries_with_their_offers_and_leaving_passes_the_offer_on(
    full_tour, waiter, client, django_capture_on_commit_callbacks
):
    slot, trip = full_tour
    mine = wait(slot, 2, user=waiter)
    theirs = wait(slot, 2)
    free_the_tour(trip, django_capture_on_commit_callbacks)
    (listed,) = client.get(URL).json()
    assert (listed["id"], listed["status"], listed["position"]) == (mine.pk, "offered", 1)
    assert listed["offer"]["url"] == f"/en/waitlist/{mine.pk}/"
    assert listed["title"] == "草莓采摘"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"{URL}/{mine.pk}").status_code == 204
    assert client.delete(f"{URL}/{mine.pk}").status_code == 404
    assert client.delete(f"{URL}/{theirs.pk}").status_code == 404  # not the caller's
    theirs.refresh_from_db()
    assert theirs.status == WaitlistStatus.OFFERED
    assert client.get(URL).json() == []


def test_the_openapi_schema_documents_the_refusals(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths[URL]["post"]["responses"]) >= {"201", "403", "409", "422"}
    assert "404" in paths[URL + "/{entry_id}"]["delete"]["responses"]


@pytest.mark.parametrize(
    ("language", "prefix", "heading"),
    [("zh-hans", "", "加入候补"), ("en", "/en", "Join the waiting list")],
)
def test_the_join_page_in_both_languages(full_tour, waiter, client, language, prefix, heading):
    slot, _trip = full_tour
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    page = client.get(f"{prefix}/waitlist/join/", {"kind": "tour", "slot_id": slot.pk, "adults": 2})
    assert page.status_code == 200
    text = page.content.decode()
    assert heading in text and "草莓采摘" in text
    posted = client.post(f"{prefix}/waitlist/join/", {"kind": "tour", "slot_id": slot.pk, "quantity": 2})
    assert posted.status_code == 302
    trips = client.get(posted.url)
    with translation.override(language):
        assert ("候补第 1 位" if language == "zh-hans" else "Number 1 in line") in trips.content.decode()
    again = client.post(f"{prefix}/waitlist/join/", {"kind": "tour", "slot_id": slot.pk, "quantity": 1})
    assert again.status_code == 409
    assert ("您已在该项目的候补名单中" if language == "zh-hans" else "already on the waiting list") in (
        again.content.decode()
    )


@pytest.mark.usefixtures("english")
def test_the_join_page_says_book_it_now_for_what_is_not_sold_out(trip_things, waiter, client):
    page = client.post("/en/waitlist/join/", {"kind": "tour", "slot_id": trip_things.slot.pk, "quantity": 1})
    assert page.status_code == 409
    assert "book it now" in page.content.decode()
    assert not WaitlistEntry.objects.exists()


@pytest.mark.usefixtures("english")
def test_the_offer_link_puts_it_in_the_basket(full_tour, waiter, client, django_capture_on_commit_callbacks):
    slot, trip = full_tour
    entry = wait(slot, 2, user=waiter)
    mail.outbox.clear()
    free_the_tour(trip, django_capture_on_commit_callbacks)
    (offer_mail,) = [m for m in mail.outbox if m.to == [waiter.email]]
    link = reverse("orders_waitlist_offer", args=[entry.pk])
    assert link in offer_mail.body
    page = client.get(link)
    assert page.status_code == 200 and "Put it in my basket" in page.content.decode()
    added = client.post(link)
    assert added.status_code == 302 and added.url == reverse("orders_basket")
    basket = client.get(added.url).content.decode()
    assert "草莓采摘" in basket and "sold out" not in basket.lower()
    # Someone else following the link finds nothing.
    client.force_login(VerifiedUserFactory())
    assert client.get(link).status_code == 302


@pytest.mark.usefixtures("english")
def test_sold_out_tickets_rooms_and_tour_times_link_to_their_waiting_list(
    trip_things, stay_room, arrival, fake_online, client, django_capture_on_commit_callbacks
):
    from attractions.models import TourSlot

    from .line_cancel_fixtures import book

    TourSlot.objects.filter(pk=trip_things.slot.pk).update(capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        book(VerifiedUserFactory(), trip_things, "stay", "tour", "ticket")
    join = "/waitlist/join/"  # the pages are read in the default language, unprefixed
    festival = trip_things.ticket_type.page
    tickets = client.get(festival.url).text
    assert f"{join}?kind=ticket&amp;ticket_type_id={trip_things.ticket_type.pk}" in tickets
    nights = {"check_in": arrival.isoformat(), "check_out": trip_things.stay_line["check_out"], "guests": "2"}
    homestay = client.get(stay_room.page.url, nights).text
    assert f"{join}?kind=stay&amp;room_type_id={stay_room.pk}&amp;check_in={arrival.isoformat()}" in homestay
    slot = trip_things.slot
    day = slot.starts_at.astimezone(translation_zone()).date().isoformat()
    tour_page = client.get(slot.experience.url, {"date": day}).text
    assert f"{join}?kind=tour&amp;slot_id={slot.pk}" in tour_page


def translation_zone():
    from zoneinfo import ZoneInfo

    from django.conf import settings

    return ZoneInfo(settings.TIME_ZONE)


@pytest.mark.usefixtures("english")
def test_staff_see_the_list_in_line_order_and_remove_or_offer(full_tour, client):
    from attractions.models import TourSlot
    from tests.factories.accounts import SuperuserFactory

    slot, _trip = full_tour
    first, second = wait(slot, 2), wait(slot, 1)
    client.force_login(VerifiedUserFactory())
    assert client.get("/admin/orders/waitlist/").status_code in (302, 403)
    client.force_login(SuperuserFactory())
    page = client.get("/admin/orders/waitlist/").content.decode()
    assert page.index(first.user.email) < page.index(second.user.email)
    assert "草莓采摘" in page
    TourSlot.objects.filter(pk=slot.pk).update(capacity=3)
    client.post(f"/admin/orders/waitlist/{second.pk}/offer/")
    client.post(f"/admin/orders/waitlist/{first.pk}/remove/")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (WaitlistStatus.REMOVED, WaitlistStatus.OFFERED)


def test_a_day_with_one_time_full_offers_that_times_waiting_list(trip_things, client):
    from attractions.models import TourSlot
    from orders import reservations
    from tests.factories.attractions import TourSlotFactory

    slot = trip_things.slot
    later = TourSlotFactory(
        experience=slot.experience, starts_at=slot.starts_at + datetime.timedelta(hours=4)
    )
    TourSlot.objects.filter(pk=slot.pk).update(capacity=1)
    reservations.confirm(reservations.reserve([reservations.Claim("tour", slot.pk, 1)]))
    day = slot.starts_at.astimezone(translation_zone()).date().isoformat()
    html = client.get(slot.experience.url, {"date": day}).text
    assert f'name="slot_id" value="{later.pk}"' in html
    assert f"/waitlist/join/?kind=tour&amp;slot_id={slot.pk}" in html
    assert f"/waitlist/join/?kind=tour&amp;slot_id={later.pk}" not in html
