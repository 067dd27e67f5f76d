"""Quotes: lines point at real inventory (room types, tour slots, entry windows) or are priced
extras (meals, transport); the private page and GET /api/v1/quotes/{token} show the plan day by
day with totals and the deposit; staff build and send them in the admin."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gates.models import EntryRule
from gates.schedules import generate_windows
from groups import services
from groups.models import GroupEnquiry, Quote, QuoteLine, QuoteStatus
from tests.factories.attractions import (
    AttractionIndexPageFactory,
    AttractionPageFactory,
    ExperiencePageFactory,
    TourSlotFactory,
)
from tests.factories.homestays import RoomTypeFactory

from .conftest import E164

pytestmark = pytest.mark.django_db
DAY1, DAY2 = datetime.date(2027, 5, 12), datetime.date(2027, 5, 13)


def at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def enquiry(now):
    return GroupEnquiry.objects.create(
        organisation="青溪镇中心小学",
        kind="school",
        start_date=DAY1,
        end_date=DAY2,
        pupils=45,
        teachers=4,
        contact_name="王老师",
        contact_phone=E164,
        phone_verified_at=now,
    )


@pytest.fixture
def inventory(home_page, now):
    index = AttractionIndexPageFactory(parent=home_page)
    museum = AttractionPageFactory(parent=index, title="红色文化馆", slug="museum")
    rule = EntryRule.objects.create(
        spot=museum, opens_at=datetime.time(9), closes_at=datetime.time(12), per_window=60
    )
    generate_windows(rule, days=90, now=now)
    tea = ExperiencePageFactory(parent=index, title="采茶体验", slug="tea", capacity=60, schedules=[])
    return {
        "room": RoomTypeFactory(name="四人间", units=12, max_guests=4),
        "slot": TourSlotFactory(experience=tea, starts_at=at(DAY1, 14), capacity=60),
        "window": rule.windows.get(starts_at=at(DAY2, 10)),
        "plain_slot": TourSlotFactory(experience=tea, starts_at=at(DAY1, 9), capacity=None),
    }


def build_quote(enquiry, inventory, **fields):
    quote = Quote.objects.create(
        enquiry=enquiry, valid_until=datetime.date(2027, 3, 31), deposit_percent=30, **fields
    )
    lines = [
        QuoteLine(
            quote=quote,
            kind="stay",
            day=DAY1,
            room_type=inventory["room"],
            nights=1,
            quantity=12,
            unit_price_fen=32000,
        ),
        QuoteLine(
            quote=quote, kind="tour", day=DAY1, tour_slot=inventory["slot"], quantity=49, unit_price_fen=6000
        ),
        QuoteLine(
            quote=quote, kind="meal", day=DAY1, description="农家晚饭", quantity=49, unit_price_fen=3500
        ),
        QuoteLine(
            quote=quote,
            kind="entry",
            day=DAY2,
            entry_window=inventory["window"],
            quantity=49,
            unit_price_fen=0,
        ),
        QuoteLine(
            quote=quote,
            kind="transport",
            day=DAY2,
            description="大巴送回学校",
            quantity=1,
            unit_price_fen=180000,
        ),
    ]
    for n, line in enumerate(lines):
        line.sort_order = n
        line.full_clean()
        line.save()
    return quote


# 12 rooms × ¥320 + 49 × ¥60 + 49 × ¥35 + 0 + ¥1800
TOTAL = 12 * 32000 + 49 * 6000 + 49 * 3500 + 180000


def test_totals_deposit_and_balance_are_in_fen(enquiry, inventory):
    quote = build_quote(enquiry, inventory)
    total, deposit, balance = services.quote_totals(list(quote.lines.all()), quote.deposit_percent)
    assert total == TOTAL == 1_029_500
    assert deposit == 308_850 and balance == total - deposit


def test_deposit_rounds_half_up_to_the_fen():
    line = QuoteLine(kind="meal", quantity=1, unit_price_fen=1005)
    assert services.quote_totals([line], 30) == (1005, 302, 703)  # 301.5 → 302


def test_a_stay_spans_its_nights():
    line = QuoteLine(kind="stay", nights=2, quantity=3, unit_price_fen=10000)
    assert line.amount_fen == 60000


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "tour", "tour_slot": None}, "tour_slot"),
        ({"kind": "meal", "description": ""}, "description"),
        ({"kind": "meal", "description": "午饭", "room_type": "room"}, "room_type"),
        ({"kind": "stay", "room_type": "room", "quantity": 13}, "quantity"),  # only 12 rooms
        ({"kind": "tour", "tour_slot": "slot", "quantity": 61}, "quantity"),  # the slot takes 60
        ({"kind": "tour", "tour_slot": "slot", "day": DAY2}, "tour_slot"),  # the slot is on day 1
        ({"kind": "tour", "tour_slot": "plain_slot", "quantity": 61}, "quantity"),  # the experience's 60
        ({"kind": "entry", "entry_window": "window", "day": DAY1}, "entry_window"),
        ({"kind": "transport", "description": "大巴", "nights": 2}, "nights"),
    ],
)
def test_a_line_that_does_not_fit_its_inventory_is_refused(enquiry, inventory, change, field):
    quote = Quote.objects.create(enquiry=enquiry, valid_until=DAY1)
    values = {"quote": quote, "day": DAY1, "quantity": 10, "unit_price_fen": 1000, **change}
    for name in ("room_type", "tour_slot", "entry_window"):
        if isinstance(values.get(name), str):
            values[name] = inventory[values[name]]
    with pytest.raises(ValidationError) as error:
        QuoteLine(**values).full_clean()
    assert field in error.value.message_dict


def test_the_quote_page_shows_the_plan_day_by_day_with_totals(
    client, enquiry, inventory, django_assert_num_queries
):
    quote = build_quote(enquiry, inventory, status=QuoteStatus.SENT)
    url = f"/en/groups/quote/{quote.token}/"
    client.get(url)
    client.get(url)  # warm the per-process and content caches
    # the quote with its enquiry and programme, its lines with what they point at (the footer
    # settings and the site are cached): as many whatever the number of lines
    with django_assert_num_queries(2):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    plan = response.context["plan"]
    assert [day for day, _lines, _total in plan["days"]] == [DAY1, DAY2]
    assert plan["days"][1][2] == 180000
    html = response.content.decode()
    for text in (
        "四人间",
        "采茶体验 · 14:00",
        "农家晚饭",
        "红色文化馆 · 10:00",
        "大巴送回学校",
        "¥10,295",
        "¥3,088.50",
    ):
        assert text in html, text


def test_a_draft_or_unknown_quote_is_not_found(client, enquiry, inventory):
    draft = build_quote(enquiry, inventory)
    assert client.get(f"/groups/quote/{draft.token}/").status_code == 404
    assert client.get("/groups/quote/nothing-here/").status_code == 404
    assert client.get(f"/api/v1/quotes/{draft.token}").status_code == 404


def test_a_quote_past_its_date_shows_as_expired(client, enquiry, inventory, time_machine):
    quote = build_quote(enquiry, inventory, status=QuoteStatus.SENT)
    time_machine.move_to(datetime.datetime(2027, 4, 2, 10, tzinfo=datetime.UTC), tick=False)
    body = client.get(f"/api/v1/quotes/{quote.token}").json()
    assert body["status"] == "expired"
    assert "was valid until 2027-03-31" in client.get(f"/en/groups/quote/{quote.token}/").content.decode()


def test_the_api_gives_days_lines_totals_deposit_and_validity(client, enquiry, inventory):
    quote = build_quote(enquiry, inventory, status=QuoteStatus.SENT)
    response = client.get(f"/api/v1/quotes/{quote.token}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "sent" and body["valid_until"] == "2027-03-31"
    assert (body["total_fen"], body["deposit_percent"], body["deposit_fen"]) == (TOTAL, 30, 308_850)
    assert body["balance_fen"] == TOTAL - 308_850
    assert [day["date"] for day in body["days"]] == ["2027-05-12", "2027-05-13"]
    stay = body["days"][0]["lines"][0]
    assert stay == {
        "kind": "stay",
        "label": f"{inventory['room'].page.title} · 四人间",
        "quantity": 12,
        "nights": 1,
        "unit_price_fen": 32000,
        "amount_fen": 384000,
    }
    assert sum(day["total_fen"] for day in body["days"]) == TOTAL


def test_sending_a_quote_texts_its_link_and_moves_the_enquiry_on(
    enquiry, inventory, sms_outbox, django_capture_on_commit_callbacks
):
    quote = build_quote(enquiry, inventory)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_quote(quote, link=f"https://example.com/groups/quote/{quote.token}/")
    quote.refresh_from_db()
    enquiry.refresh_from_db()
    assert quote.status == QuoteStatus.SENT and quote.sent_at is not None
    assert enquiry.status == "quoted"
    assert sms_outbox[-1].phone == E164 and quote.token in sms_outbox[-1].text


def test_staff_build_a_quote_in_the_admin_and_saving_it_as_sent_sends_it(
    enquiry, inventory, english_admin_client, sms_outbox, django_capture_on_commit_callbacks
):
    assert english_admin_client.get("/admin/group-quotes/new/").status_code == 200
    assert english_admin_client.get("/admin/group-enquiries/").status_code == 200
    chooser = english_admin_client.get("/admin/groups/choose-tour-slot/?day=2027-05-12")
    assert chooser.status_code == 200 and "采茶体验" in chooser.json()["html"]
    data = {
        "enquiry": enquiry.pk,
        "valid_until": "2027-03-31",
        "deposit_percent": "30",
        "hold_hours": "48",
        "status": "sent",
        "note": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for n, line in enumerate(
        [
            {
                "kind": "tour",
                "day": "2027-05-12",
                "tour_slot": inventory["slot"].pk,
                "quantity": 49,
                "unit_price_fen": 6000,
            },
            {
                "kind": "meal",
                "day": "2027-05-12",
                "description": "午饭",
                "quantity": 49,
                "unit_price_fen": 3000,
            },
        ]
    ):
        data.update(
            {
                f"lines-{n}-{key}": value
                for key, value in {"nights": 1, "ORDER": n, "DELETE": "", "id": "", **line}.items()
            }
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = english_admin_client.post("/admin/group-quotes/new/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    quote = Quote.objects.get()
    assert quote.status == QuoteStatus.SENT and quote.lines.count() == 2
    assert quote.token in sms_outbox[-1].text


def test_staff_filter_enquiries_by_status_and_cannot_add_one(enquiry, english_admin_client):
    GroupEnquiry.objects.create(
        organisation="青溪茶叶公司",
        kind="company",
        start_date=DAY1,
        end_date=DAY1,
        adults=30,
        contact_name="李经理",
        contact_phone=E164,
        status="quoted",
    )
    page = english_admin_client.get("/admin/group-enquiries/", {"status": "new"})
    assert [row.organisation for row in page.context["object_list"]] == ["青溪镇中心小学"]
    page = english_admin_client.get("/admin/group-enquiries/", {"kind": "company"})
    assert [row.organisation for row in page.context["object_list"]] == ["青溪茶叶公司"]
    assert english_admin_client.get("/admin/group-enquiries/new/").status_code in (302, 403, 404)
    inspect = english_admin_client.get(f"/admin/group-enquiries/inspect/{enquiry.pk}/")
    assert inspect.status_code == 200 and enquiry.ref in inspect.content.decode()
