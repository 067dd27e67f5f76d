"""Each kind of line speaks for itself (``LineKind.note_label`` and ``summary``), in one date
format per language: the order page, the e-mails and the API all print these words."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.formats import date_format

from orders.lines import get_line_kind
from orders.models import OrderLine

TOWN = ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2027, 3, 20, 9, 0, tzinfo=TOWN)


def summary(line, language):
    with translation.override(language):
        return get_line_kind(line.kind).summary(line)


def test_one_date_format_per_language():
    day = datetime.date(2027, 3, 20)
    with translation.override("zh-hans"):
        assert date_format(day, "DATE_FORMAT") == "2027年3月20日"
        assert date_format(START, "DATETIME_FORMAT") == "2027年3月20日 09:00"
    with translation.override("en"):
        assert date_format(day, "DATE_FORMAT") == "20 March 2027"
        assert date_format(START, "DATETIME_FORMAT") == "20 March 2027, 09:00"


def test_a_tour_says_its_date_time_and_who_comes():
    line = OrderLine(kind="tour", starts_at=START, guests=2, quantity=2, options={"adults": 1, "children": 1})
    assert summary(line, "zh-hans") == "2027年3月20日 09:00 · 1 位成人、1 位儿童"
    assert summary(line, "en") == "20 March 2027, 09:00 · 1 adult, 1 child"


def test_produce_says_its_quantity_with_the_unit_and_where_it_goes_never_people():
    line = OrderLine(
        kind="product",
        quantity=3,
        guests=1,
        options={"delivery": "homestay", "delivery_date": "2027-03-21"},
        breakdown=[
            {"unit_price_fen": 1200, "quantity": 3, "unit": "jin"},
            {"deliver_to": "竹林民宿", "delivery_date": "2027-03-21"},
        ],
    )
    assert summary(line, "zh-hans") == "3 斤 · 送到 竹林民宿 · 2027年3月21日"
    assert summary(line, "en") == "3 jin · delivered to 竹林民宿 · 21 March 2027"
    assert "人" not in summary(line, "zh-hans")
    boxes = OrderLine(kind="product", quantity=2, options={"delivery": "pickup"}, breakdown=[{"unit": "box"}])
    assert summary(boxes, "zh-hans") == "2 盒 · 游客中心自提"
    assert summary(boxes, "en") == "2 boxes · pickup at the visitor centre"


def test_a_stay_says_its_dates_nights_and_guests():
    line = OrderLine(
        kind="stay",
        start_date=datetime.date(2027, 3, 20),
        end_date=datetime.date(2027, 3, 22),
        guests=2,
        quantity=1,
    )
    assert summary(line, "zh-hans") == "2027年3月20日 → 2027年3月22日 · 2 晚 · 2 位客人"
    assert summary(line, "en") == "20 March 2027 → 22 March 2027 · 2 nights · 2 guests"


def test_a_ticket_says_when_and_how_many():
    line = OrderLine(kind="ticket", starts_at=START, guests=2, quantity=2)
    assert summary(line, "zh-hans") == "2027年3月20日 09:00 · 2 张"
    assert summary(line, "en") == "20 March 2027, 09:00 · 2 tickets"


@pytest.mark.parametrize(
    ("kind", "zh"),
    [
        ("stay", "给民宿主人的留言"),
        ("tour", "给向导的留言"),
        ("ticket", "给主办方的留言"),
        ("product", "给农户的留言"),
    ],
)
def test_each_kind_names_who_reads_the_note(kind, zh):
    with translation.override("zh-hans"):
        assert get_line_kind(kind).note_label() == zh
    # Only a stay's note goes to the homestay's host, in English too.
    assert (zh == "给民宿主人的留言") == (kind == "stay")
    with translation.override("en"):
        assert (get_line_kind(kind).note_label() == "Note for the host") == (kind == "stay")
