"""The homestay index (search and listing) and the homestay page."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from homestays import views
from homestays.models import CancellationPolicy, HomestayIndexPage, RateRuleKind
from orders.models import ReservationKind, ReservationStatus
from tests.factories.homestays import HomestayPageFactory, RoomRateRuleFactory, RoomTypeFactory
from tests.factories.orders import ReservationFactory

pytestmark = pytest.mark.django_db
# The index's own work for a search: the page of homestays with their count, their rooms (with
# their first gallery photos), rate rules, live claims (4); no card has a photo here, so no image
# is read. Warm: the locales and the form's choices (villages, attractions) come from the content
# cache. The site shell's queries are not pinned here (test_page_queries.py pins whole pages).
SEARCH_CONTEXT_QUERIES = 4


def stay_query(monday, nights=2, guests=2):
    return {
        "check_in": monday.isoformat(),
        "check_out": (monday + timedelta(days=nights)).isoformat(),
        "guests": guests,
    }


def test_index_without_dates_lists_homestays_from_their_lowest_price(client, index_page, room):
    response = client.get(index_page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert room.page.title in html
    assert "¥300" in html


@pytest.mark.date_sensitive
def test_index_search_shows_total_for_the_stay(client, index_page, room, monday):
    response = client.get(index_page.url, stay_query(monday, nights=3))
    assert response.status_code == 200
    assert response.context["searched"] is True
    (card,) = response.context["page_obj"]()
    assert [r.room_type.pk for r in card.rooms] == [room.pk]
    assert "¥900" in response.content.decode()


def test_index_search_with_bad_dates_shows_the_error_not_a_500(client, index_page, room, monday):
    response = client.get(
        index_page.url, {"check_in": monday.isoformat(), "check_out": monday.isoformat(), "guests": 2}
    )
    assert response.status_code == 200
    assert "check_out" in response.context["form"].errors
    assert response.context["searched"] is False


def _search_queries(client, index_page, monday):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(index_page.url, stay_query(monday))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.context["result_count"]()


def test_index_search_query_count_does_not_grow_with_homestays(client, index_page, monday):
    for _i in range(10):
        RoomTypeFactory(page=HomestayPageFactory(parent=index_page))
    _search_queries(client, index_page, monday)  # warm the per-process caches (site, locales)
    ten, found = _search_queries(client, index_page, monday)
    assert found == 10
    for _i in range(90):
        RoomTypeFactory(page=HomestayPageFactory(parent=index_page))
    hundred, found = _search_queries(client, index_page, monday)
    assert found == 100
    assert hundred == ten


def test_index_search_context_query_count_is_pinned(rf, index_page, monday, django_assert_num_queries):
    for _i in range(10):
        RoomTypeFactory(page=HomestayPageFactory(parent=index_page))
    index_page = HomestayIndexPage.objects.get(pk=index_page.pk)
    request = rf.get(index_page.url, stay_query(monday))
    request.user = AnonymousUser()
    views.index_context(index_page, request)["page_obj"]()  # fills the content cache
    with django_assert_num_queries(SEARCH_CONTEXT_QUERIES):
        context = views.index_context(index_page, request)
        assert len(list(context["page_obj"]())) == 10


@pytest.mark.date_sensitive
def test_homestay_page_shows_rooms_policy_and_calendar(client, room):
    response = client.get(room.page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert room.name in html
    assert 'class="room-calendar"' in html
    assert str(room.page.cancellation_policy_explanation) in html


def test_strict_policy_is_explained_in_plain_words(client, room):
    room.page.cancellation_policy = CancellationPolicy.STRICT
    room.page.save_revision().publish()
    html = client.get(room.page.url).content.decode()
    assert "50%" in html.replace(" %", "%") and "7 天" in html


@pytest.mark.date_sensitive
def test_calendar_month_navigation_shows_the_chosen_month(client, room, monday):
    next_month = (monday.replace(day=1) + timedelta(days=32)).replace(day=1)
    response = client.get(room.page.url, {"month": next_month.strftime("%Y-%m")})
    assert response.context["month_start"] == next_month


@pytest.mark.date_sensitive
def test_malformed_month_falls_back_to_this_month(client, room):
    response = client.get(room.page.url, {"month": "2030-99"})
    assert response.status_code == 200
    assert response.context["month_start"].day == 1


@pytest.mark.date_sensitive
def test_calendar_marks_closed_nights(client, room, monday):
    RoomRateRuleFactory(room_type=room, kind=RateRuleKind.CLOSED, start_date=monday)
    response = client.get(room.page.url, {"month": monday.strftime("%Y-%m")})
    (calendar,) = response.context["rooms"]()
    closed = [day for week in calendar["weeks"] for day in week if day and day.closed]
    assert [day.date for day in closed] == [monday]


@pytest.mark.date_sensitive
def test_quote_shows_each_night_and_the_total(client, room, monday):
    response = client.get(room.page.url, stay_query(monday, nights=2))
    (entry,) = response.context["quotes"]()
    assert entry["quote"].total_fen == 60000
    assert "¥600" in response.content.decode()


def test_quote_for_a_closed_night_explains_why(client, room, monday):
    RoomRateRuleFactory(room_type=room, kind=RateRuleKind.CLOSED, start_date=monday)
    response = client.get(room.page.url, stay_query(monday, nights=2))
    (entry,) = response.context["quotes"]()
    assert entry["quote"] is None and entry["error"]


def test_contact_phone_is_hidden_from_visitors(client, room):
    room.page.contact_phone = "13800000000"
    room.page.save_revision().publish()
    assert "13800000000" not in client.get(room.page.url).content.decode()


def test_contact_phone_is_shown_to_a_guest_with_a_confirmed_stay(client, room, django_user_model, monday):
    room.page.contact_phone = "13800000000"
    room.page.save_revision().publish()
    guest = django_user_model.objects.create_user("guest@example.com")
    ReservationFactory(
        kind=ReservationKind.STAY,
        object_id=room.pk,
        start_date=monday,
        end_date=monday + timedelta(days=1),
        status=ReservationStatus.CONFIRMED,
        holder=guest,
    )
    client.force_login(guest)
    assert "13800000000" in client.get(room.page.url).content.decode()


def test_preview_shows_the_room_texts_being_edited(room):
    draft = room.page.get_latest_revision_as_object()
    edited = draft.room_types.get()
    edited.name = "山景大床房（草稿）"
    draft.room_types = [edited]  # as the editor's form leaves them: in memory, not saved
    response = draft.make_preview_request()
    assert response.status_code == 200
    assert "山景大床房（草稿）" in response.rendered_content
