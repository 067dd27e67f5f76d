"""My trips: the order page offers to move a stay; the change page shows the new price and what the
difference does for the dates asked, in both languages, then makes the change it showed."""

import pytest
from django.urls import reverse
from django.utils import translation

from orders.models import LineStatus, OrderLine, Payment
from tests.factories.homestays import RoomRateRuleFactory, RoomTypeFactory

from .line_cancel_fixtures import DAY, STAY_FEN
from .stay_change_fixtures import NIGHT_FEN, dates

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive, pytest.mark.usefixtures("ten_days_before")]


@pytest.fixture
def chinese(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def browser(client, stay_trip):
    client.force_login(stay_trip.order.user)
    return client


def change_url(trip, line):
    return reverse("orders_line_change", args=[trip.order.reference, line.pk])


@pytest.mark.usefixtures("english")
def test_the_order_page_offers_to_move_the_stay(browser, stay_trip):
    line = stay_trip.line("stay")
    page = browser.get(stay_trip.order.get_absolute_url()).text
    assert f'href="{change_url(stay_trip, line)}">Change dates or room<' in page


@pytest.mark.usefixtures("english")
def test_the_page_quotes_the_dates_asked_then_makes_that_change(
    browser, stay_trip, stay_homestay, django_capture_on_commit_callbacks
):
    suite = RoomTypeFactory(page=stay_homestay, name="套房", units=1, base_price_fen=45000, max_guests=2)
    line = stay_trip.line("stay")
    first = browser.get(change_url(stay_trip, line))
    assert first.status_code == 200
    assert f'value="{line.start_date.isoformat()}"' in first.text and "Show the new price" in first.text
    assert f'<option value="{suite.pk}">套房</option>' in first.text
    page = browser.get(
        change_url(stay_trip, line), {**dates(line, by=1, nights=3), "room_type": line.object_id}
    )
    assert page.status_code == 200
    assert "You pay ¥300.00 more, online, once you confirm." in page.text
    assert 'name="shown_difference_fen" value="30000"' in page.text
    with django_capture_on_commit_callbacks(execute=True):
        done = browser.post(
            change_url(stay_trip, line),
            {
                **dates(line, by=1, nights=3),
                "room_type": line.object_id,
                "shown_difference_fen": NIGHT_FEN,
                "confirm": "on",
            },
            follow=True,
        )
    assert done.redirect_chain[-1][0] == stay_trip.order.get_absolute_url()
    new = OrderLine.objects.get(replaces=line)
    assert "Your stay is changed" in done.text and "Please pay the difference of ¥300.00 below." in done.text
    assert "Changed by you" in done.text and new.voucher.code in done.text
    assert line.voucher.code not in done.text
    assert "Pay now" in done.text and "To be paid on site." not in done.text
    assert "The difference of your change is still to be paid." in done.text


@pytest.mark.usefixtures("english")
def test_a_difference_other_than_the_one_shown_answers_409_with_the_new_quote(browser, stay_trip):
    line = stay_trip.line("stay")
    posted = {
        **dates(line, nights=3),
        "room_type": line.object_id,
        "shown_difference_fen": 0,
        "confirm": "on",
    }
    response = browser.post(change_url(stay_trip, line), posted)
    assert response.status_code == 409
    assert "The difference is now ¥300.00" in response.text
    assert 'name="shown_difference_fen" value="30000"' in response.text
    assert OrderLine.objects.get(pk=line.pk).status == LineStatus.LIVE and Payment.objects.count() == 1


@pytest.mark.usefixtures("english")
def test_closed_nights_answer_409_and_bad_dates_422_with_their_reason(browser, stay_trip, stay_room):
    line = stay_trip.line("stay")
    RoomRateRuleFactory(room_type=stay_room, start_date=line.start_date + DAY * 30)
    closed = browser.get(change_url(stay_trip, line), dates(line, by=29))
    assert closed.status_code == 409 and "This room is closed on" in closed.text
    assert "shown_difference_fen" not in closed.text
    same = browser.get(change_url(stay_trip, line), dates(line))
    assert same.status_code == 422 and "These are the dates and room you have booked" in same.text
    garbled = browser.get(change_url(stay_trip, line), {"check_in": "soon", "check_out": ""})
    assert garbled.status_code == 422 and "Enter a valid date." in garbled.text


@pytest.mark.usefixtures("chinese")
def test_the_pages_speak_chinese(browser, stay_trip, django_capture_on_commit_callbacks):
    line = stay_trip.line("stay")
    order_page = browser.get(stay_trip.order.get_absolute_url()).text
    assert ">改日期或房型<" in order_page
    page = browser.get(change_url(stay_trip, line), dates(line, nights=1))
    assert page.status_code == 200
    assert "退还您 ¥300.00。" in page.text and "新价格" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        done = browser.post(
            change_url(stay_trip, line),
            {
                **dates(line, nights=1),
                "room_type": line.object_id,
                "shown_difference_fen": -NIGHT_FEN,
                "confirm": "on",
            },
            follow=True,
        )
    assert "您的住宿已更改" in done.text and "您已更改" in done.text
    assert OrderLine.objects.get(replaces=line).total_fen == STAY_FEN - NIGHT_FEN


@pytest.mark.usefixtures("english")
def test_the_change_page_reads_a_fixed_number_of_queries(browser, stay_trip, django_assert_num_queries):
    """Session, user, order, payments, the line with its voucher, whether the order is a group's
    (paid in parts: changed by the office only; asked by both checks of the page); the homestay's
    rooms and their English names; the new room checked as a line (its canonical id and row),
    priced (rules) and checked as the reservation core would take it (the line's own claims,
    canonical id, row, rules, claims on the nights, the own claims among them, closures); its
    names in English (room, homestay); the user's permissions (2) (the site is remembered:
    town.sites): the same for 1 night or 6."""
    line = stay_trip.line("stay")
    url = change_url(stay_trip, line)
    for _warm_up in range(2):  # the site's shell is read, then cached
        browser.get(url, dates(line, nights=1))
    for nights in (1, 6):
        with django_assert_num_queries(25):
            assert browser.get(url, dates(line, by=1, nights=nights)).status_code == 200
