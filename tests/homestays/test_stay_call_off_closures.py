"""The nights staff close with a call-off stay closed until staff reopen them: the host sees the
closure read-only with the office's reason and may neither change nor delete it, the calendar
import leaves it alone, staff who may call off reopen it (recorded on the call-off); and the host
is e-mailed, in the town's language, which nights were closed, why and how many stays went."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from wagtail.users.models import UserProfile

from accounts.roles import HOSTS
from homestays.calendar_sync import sync_external_calendar
from homestays.models import ExternalCalendar, HomestayPage, RateRuleKind, RoomRateRule
from homestays.selectors import available_room_types
from homestays.services import grant_host_access
from orders import organiser_cancel
from orders.models import CallOff, ReservationKind
from tests.factories.accounts import VerifiedUserFactory

from .stay_call_off_fixtures import book_stay

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]

STAY = ReservationKind.STAY
REASON = "山洪"


@pytest.fixture
def host(rooms):
    user = VerifiedUserFactory(email="host@example.com")
    user.groups.add(Group.objects.get_or_create(name=HOSTS)[0])
    HomestayPage.objects.filter(pk=rooms.homestay.pk).update(host=user)
    grant_host_access(HomestayPage.objects.get(pk=rooms.homestay.pk))
    return user


def english_admin(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def call_off(rooms, staff, capture, room_types=None):
    with capture(execute=True):
        return organiser_cancel.call_off(
            STAY,
            [room.pk for room in room_types or (rooms.garden, rooms.loft)],
            nights=rooms.nights,
            reason=REASON,
            by_user=staff,
            title=rooms.homestay.title,
        )


def free(rooms):
    night = rooms.closed_night
    found = {room.room_type.pk for room in available_room_types(night, night + timedelta(days=1), 1)}
    return found & {rooms.garden.pk, rooms.loft.pk}


@pytest.fixture
def held(rooms, host, staff, django_capture_on_commit_callbacks):
    call_off(rooms, staff, django_capture_on_commit_callbacks)
    return RoomRateRule.objects.get(room_type=rooms.garden)


def test_the_closures_name_the_call_off_and_the_host_sees_them_read_only_with_the_reason(
    client, rooms, host, held
):
    assert held.call_off.reason == REASON and held.kind == RateRuleKind.CLOSED
    client.force_login(english_admin(host))

    listing = client.get(reverse("rate_rules:index"))
    assert listing.status_code == 200
    assert f"Closed by the tourism office: {REASON}" in listing.content.decode()
    assert reverse("rate_rules:delete", args=[held.pk]) not in listing.content.decode()

    page = client.get(reverse("rate_rules:edit", args=[held.pk]))
    assert page.status_code == 200
    assert f"Closed by the tourism office: {REASON}" in page.content.decode()
    assert all(field.disabled for field in page.context["form"].fields.values())
    assert not page.context["can_delete"]


def test_a_host_cannot_edit_or_delete_it_and_the_nights_stay_closed(client, rooms, host, held):
    client.force_login(english_admin(host))
    before = list(RoomRateRule.objects.values_list("pk", "start_date", "end_date", "kind", "note"))

    edit = client.post(
        reverse("rate_rules:edit", args=[held.pk]),
        {
            "room_type": rooms.garden.pk,
            "kind": RateRuleKind.PRICE,
            "start_date": (rooms.closed_night + timedelta(days=5)).isoformat(),
            "end_date": (rooms.closed_night + timedelta(days=5)).isoformat(),
            "price_fen": 100,
            "note": "",
        },
    )
    assert edit.status_code == 403
    assert "only the office can reopen them" in edit.content.decode()

    for method in (client.get, client.post):
        delete = method(reverse("rate_rules:delete", args=[held.pk]))
        assert delete.status_code == 403
        assert f"Closed by the tourism office: {REASON}" in delete.content.decode()

    assert list(RoomRateRule.objects.values_list("pk", "start_date", "end_date", "kind", "note")) == before
    assert free(rooms) == set()


def test_a_hosts_own_closure_still_edits_and_deletes(client, rooms, host, held):
    own = RoomRateRule.objects.create(
        room_type=rooms.garden,
        kind=RateRuleKind.CLOSED,
        start_date=rooms.closed_night,
        end_date=rooms.closed_night,
    )
    client.force_login(english_admin(host))
    response = client.post(reverse("rate_rules:delete", args=[own.pk]))
    assert response.status_code == 302
    assert not RoomRateRule.objects.filter(pk=own.pk).exists()
    assert RoomRateRule.objects.filter(pk=held.pk).exists()


def test_staff_who_may_call_off_reopen_the_nights_and_it_is_recorded(client, rooms, staff, held):
    client.force_login(english_admin(staff))
    confirm = client.get(reverse("rate_rules:delete", args=[held.pk]))
    assert confirm.status_code == 200 and "Reopen these nights for booking?" in confirm.content.decode()

    response = client.post(reverse("rate_rules:delete", args=[held.pk]))

    assert response.status_code == 302
    assert not RoomRateRule.objects.filter(pk=held.pk).exists()
    record = CallOff.objects.get()
    assert (record.reopened_by, record.reopened_at is not None) == (staff, True)
    assert free(rooms) == {rooms.garden.pk}  # the loft's closure stands


def test_the_calendar_import_leaves_a_call_offs_closures_alone(rooms, held):
    calendar = ExternalCalendar.objects.create(
        room_type=rooms.garden, name="Airbnb", url="https://calendar.example/airbnb.ics"
    )
    night = rooms.closed_night + timedelta(days=3)
    body = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:a@example\r\n"
        f"DTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:{night:%Y%m%d}\r\n"
        f"DTEND;VALUE=DATE:{night + timedelta(days=1):%Y%m%d}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()

    for _run in range(2):  # the second run replaces what the first imported
        assert sync_external_calendar(calendar, fetch=lambda url: body).ok

    assert RoomRateRule.objects.filter(pk=held.pk, call_off__isnull=False).exists()
    assert list(RoomRateRule.objects.filter(source=calendar).values_list("start_date", flat=True)) == [night]
    assert free(rooms) == set()


def test_the_host_is_emailed_in_the_towns_language_and_not_again_for_a_call_off_that_changes_nothing(
    rooms, arrival, host, staff, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        book_stay(rooms.garden, arrival, language="en")
    mail.outbox.clear()

    call_off(rooms, staff, capture)

    (notice,) = [m for m in mail.outbox if m.to == [host.email]]
    night = rooms.closed_night
    assert f"旅游服务中心已关房：{night.isoformat()} – {night.isoformat()}" in notice.subject
    assert f"{night.year}年{night.month}月{night.day}日" in notice.body
    assert f"原因：{REASON}" in notice.body or f"原因: {REASON}" in notice.body
    assert "1 个预订已取消" in notice.body
    assert "园景房" in notice.body and "阁楼" in notice.body
    html = notice.alternatives[0][0]
    assert REASON in html and "1 个预订已取消" in html

    mail.outbox.clear()
    call_off(rooms, staff, capture)  # the same again
    call_off(rooms, staff, capture, room_types=[rooms.loft])  # another call-off, nights already held
    assert mail.outbox == []
    assert CallOff.objects.count() == 2


def test_a_host_on_a_phone_hears_of_the_closed_nights_by_text(
    rooms, arrival, host, staff, django_capture_on_commit_callbacks, sms_outbox
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        book_stay(rooms.garden, arrival, language="en")
    host.phone_number, host.phone_verified, host.notify_by_email = "+8613900000012", True, False
    host.save()
    mail.outbox.clear()
    call_off(rooms, staff, capture)
    night = rooms.closed_night.isoformat()
    to_host = [message for message in sms_outbox if message.phone == "+8613900000012"]
    assert [message.template for message in to_host] == ["provider_nights_closed"]
    assert f"{night} – {night}" in to_host[0].text and "1" in to_host[0].text
    assert [m for m in mail.outbox if m.to == [host.email]] == []  # texts only, as chosen
