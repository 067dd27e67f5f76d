"""The API of moving a stay: the quote, the change, and the refusals (404 another user's, 409 with
the reason, 422 bad dates) that change nothing."""

import json

import pytest

from orders.models import Order, OrderLine, Payment, Refund, Reservation, Voucher
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.homestays import RoomRateRuleFactory

from .checkout_fixtures import basket_with_stay, check_out
from .line_cancel_fixtures import DAY, STAY_FEN
from .stay_change_fixtures import NIGHT_FEN, dates

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]


@pytest.fixture
def api(client, stay_trip, ten_days_before):
    client.force_login(stay_trip.order.user)
    return client


def url(trip, line, tail):
    return f"/api/v1/orders/{trip.order.reference}/lines/{line.pk}/{tail}"


def post(client, path, data, capture):
    with capture(execute=True):
        return client.post(path, data=json.dumps(data), content_type="application/json")


def state():
    return (
        sorted(OrderLine.objects.values_list("pk", "start_date", "end_date", "total_fen", "cancelled_at")),
        sorted(Reservation.objects.values_list("pk", "start_date", "end_date", "status")),
        sorted(Payment.objects.values_list("pk", "amount_fen", "refunded_fen", "status")),
        sorted(Voucher.objects.values_list("pk", "voided_at")),
        Refund.objects.count(),
        sorted(Order.objects.values_list("pk", "status", "total_fen")),
    )


def test_the_quote_says_the_new_price_and_the_difference(api, stay_trip):
    line = stay_trip.line("stay")
    response = api.get(url(stay_trip, line, "change-quote"), dates(line, nights=1))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["old_total_fen"], body["new_total_fen"], body["difference_fen"]) == (
        STAY_FEN,
        NIGHT_FEN,
        -NIGHT_FEN,
    )
    # Ten days before check-in, the moderate policy gives all of a decrease back.
    assert (body["refund_fen"], body["kept_fen"], body["to_pay_fen"]) == (NIGHT_FEN, 0, 0)
    assert body["reason"] == "Full refund: at least 5 days before the start (moderate policy)."
    assert body["room_type"] == line.object_id and body["nights"] == 1 and body["currency"] == "CNY"


def test_the_change_answers_the_order_with_the_new_line(api, stay_trip, django_capture_on_commit_callbacks):
    line = stay_trip.line("stay")
    response = post(
        api,
        url(stay_trip, line, "change"),
        {**dates(line, by=1, nights=3), "shown_difference_fen": NIGHT_FEN},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["replaced_line_id"], body["difference_fen"], body["to_pay_fen"]) == (
        line.pk,
        NIGHT_FEN,
        NIGHT_FEN,
    )
    assert body["client_secret"] == f"secret_{Payment.objects.latest('pk').pk}"
    lines = {item["id"]: item for item in body["lines"]}
    assert lines[line.pk]["status"] == "changed" and lines[line.pk]["replaced_by"] == body["line_id"]
    assert lines[line.pk]["voucher_code"] is None
    new = lines[body["line_id"]]
    assert (new["status"], new["start_date"], new["nights"]) == ("live", dates(line, by=1)["check_in"], 3)
    assert new["voucher_code"] == OrderLine.objects.get(pk=body["line_id"]).voucher.code
    assert body["status"] == "confirmed" and body["total_fen"] == 3 * NIGHT_FEN
    assert [(p["amount_fen"], p["status"]) for p in body["payments"]] == [
        (NIGHT_FEN, "pending"),
        (STAY_FEN, "succeeded"),
    ]


def test_refusals_answer_404_409_or_422_and_change_nothing(
    api, stay_trip, stay_room, django_capture_on_commit_callbacks
):
    line = stay_trip.line("stay")
    RoomRateRuleFactory(room_type=stay_room, start_date=line.start_date + DAY * 30)
    other = VerifiedUserFactory()
    check_out(other, basket_with_stay(other, stay_room, line.end_date, nights=2))
    before = state()
    cases = [
        (dates(line, by=29), 409, "dates_unavailable"),
        (dates(line, by=1), 409, "sold_out"),
        ({**dates(line, nights=1), "shown_difference_fen": 0}, 409, "difference_changed"),
        (dates(line), 422, None),
        (dates(line, by=-20), 422, None),
        ({"check_in": "tomorrow", "check_out": "2030-01-01"}, 422, None),
    ]
    for data, status, code in cases:
        response = post(api, url(stay_trip, line, "change"), data, django_capture_on_commit_callbacks)
        assert response.status_code == status, (data, response.content)
        if code:
            assert response.json()["code"] == code
    changed = post(
        api, url(stay_trip, line, "change"), cases[2][0], django_capture_on_commit_callbacks
    ).json()
    assert changed["quote"]["difference_fen"] == -NIGHT_FEN
    assert "These are the dates and room you have booked" in json.dumps(
        post(api, url(stay_trip, line, "change"), dates(line), django_capture_on_commit_callbacks).json()
    )
    api.force_login(VerifiedUserFactory())
    assert (
        post(
            api, url(stay_trip, line, "change"), dates(line, by=3), django_capture_on_commit_callbacks
        ).status_code
        == 404
    )
    assert api.get(url(stay_trip, line, "change-quote"), dates(line, by=3)).status_code == 404
    assert state() == before


def test_the_openapi_schema_documents_the_answers(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    quote = paths["/api/v1/orders/{ref}/lines/{line_id}/change-quote"]["get"]
    change = paths["/api/v1/orders/{ref}/lines/{line_id}/change"]["post"]
    for operation in (quote, change):
        assert {"200", "404", "409", "422"} <= set(operation["responses"])
        assert "dates_unavailable" in operation["description"] and "sold_out" in operation["description"]
    assert {"check_in", "check_out", "room_type"} <= {p["name"] for p in quote["parameters"]}
    schemas = api.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert set(schemas["StayChangeIn"]["properties"]) == {
        "check_in",
        "check_out",
        "room_type",
        "shown_difference_fen",
    }
    assert set(schemas["StayChangeIn"]["required"]) == {"check_in", "check_out"}
    assert {"line_id", "replaced_line_id", "to_pay_fen", "refund_fen"} <= set(
        schemas["StayChangedOut"]["properties"]
    )
