"""The API of cancelling one line: each line's id and status, the quote, the cancellation, and the
refusals (404 another user's, 409 with the reason, 422 a bad quantity) that change nothing."""

import json

import pytest
import time_machine

from orders.models import Order, OrderLine, Payment, Refund, Reservation
from products.dashboard.services import update_fulfilment
from products.models import FulfilmentStatus
from tests.factories.accounts import VerifiedUserFactory

from .line_cancel_fixtures import MINUTE, PRODUCE_FEN, TICKET_FEN, TOUR_FEN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def api(client, trip):
    client.force_login(trip.order.user)
    return client


def url(trip, line, tail=""):
    return f"/api/v1/orders/{trip.order.reference}/lines/{line.pk}/{tail}"


def post(client, path, data=None, capture=None):
    body = json.dumps(data) if data is not None else ""
    if capture is None:
        return client.post(path, data=body, content_type="application/json")
    with capture(execute=True):
        return client.post(path, data=body, content_type="application/json")


def state():
    return (
        sorted(OrderLine.objects.values_list("pk", "quantity", "total_fen", "cancelled_at")),
        sorted(Reservation.objects.values_list("pk", "quantity", "status")),
        sorted(Payment.objects.values_list("pk", "amount_fen", "refunded_fen", "status")),
        Refund.objects.count(),
        sorted(Order.objects.values_list("pk", "status")),
    )


def test_the_order_lists_each_line_with_its_id_and_status(api, trip):
    lines = api.get(f"/api/v1/orders/{trip.order.reference}").json()["lines"]
    assert [(line["id"], line["kind"], line["status"]) for line in lines] == [
        (line.pk, line.kind, "live") for line in trip.order.lines.order_by("pk")
    ]


def test_the_quote_says_what_cancelling_refunds_now_and_why(api, trip):
    tickets = trip.line("ticket")
    response = api.get(url(trip, tickets, "cancellation"), {"quantity": 3})
    assert response.status_code == 200, response.content
    # Twelve days before the festival: the ticket type's strict policy gives half back.
    assert response.json() == {
        "refund_fen": 3 * TICKET_FEN // 2,
        "reason": "50% refund: at least 7 days before the start (strict policy).",
        "cancellable": True,
        "quantity": 3,
        "currency": "CNY",
    }
    response = api.get(url(trip, trip.line("tour"), "cancellation"))
    assert (response.json()["refund_fen"], response.json()["quantity"]) == (TOUR_FEN, 2)  # two adults


@pytest.mark.django_db(transaction=True)
def test_cancelling_the_tour_answers_the_order_with_the_line_cancelled_and_the_refund(api, trip, fake_online):
    """Committed as in production (no test transaction around the request): the refund is made
    when the cancellation commits, before the answer is written, which shows it booked."""
    tour = trip.line("tour")
    quoted = api.get(url(trip, tour, "cancellation")).json()["refund_fen"]
    response = post(api, url(trip, tour, "cancel"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["refund_fen"] == quoted == TOUR_FEN
    assert (body["line_id"], body["cancelled_line_id"], body["status"]) == (tour.pk, tour.pk, "paid")
    by_id = {line["id"]: line for line in body["lines"]}
    assert (by_id[tour.pk]["status"], by_id[tour.pk]["refund_fen"]) == ("cancelled", TOUR_FEN)
    assert by_id[tour.pk]["cancelled_by_visitor"] and by_id[tour.pk]["voucher_code"] is None
    assert {line["status"] for pk, line in by_id.items() if pk != tour.pk} == {"live"}
    assert body["payments"] == [
        {
            "provider": "fake_online",
            "status": "partially_refunded",
            "amount_fen": trip.order.total_fen,
            "refunded_fen": TOUR_FEN,
        }
    ]
    assert fake_online.refunds == [(trip.payment.pk, TOUR_FEN)]


def test_three_of_five_tickets_by_the_api(api, trip, django_capture_on_commit_callbacks):
    tickets = trip.line("ticket")
    response = post(api, url(trip, tickets, "cancel"), {"quantity": 3}, django_capture_on_commit_callbacks)
    assert response.status_code == 200, response.content
    body = response.json()
    by_id = {line["id"]: line for line in body["lines"]}
    kept, given_back = by_id[body["line_id"]], by_id[body["cancelled_line_id"]]
    assert (kept["status"], kept["quantity"], kept["total_fen"]) == ("live", 2, 2 * TICKET_FEN)
    assert kept["voucher_code"] == tickets.voucher.code
    assert (given_back["status"], given_back["quantity"], given_back["split_from"]) == (
        "cancelled",
        3,
        tickets.pk,
    )
    assert body["refund_fen"] == given_back["refund_fen"] == 3 * TICKET_FEN // 2


@pytest.mark.parametrize("body", [None, {}, {"quantity": None}])
def test_no_body_cancels_the_whole_line(api, trip, body, django_capture_on_commit_callbacks):
    response = post(api, url(trip, trip.line("product"), "cancel"), body, django_capture_on_commit_callbacks)
    assert response.status_code == 200, response.content
    assert response.json()["refund_fen"] == PRODUCE_FEN


def test_another_users_line_is_404_and_untouched(client, trip):
    client.force_login(VerifiedUserFactory())
    before = state()
    tour = trip.line("tour")
    assert client.get(url(trip, tour, "cancellation")).status_code == 404
    response = post(client, url(trip, tour, "cancel"))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert state() == before


def test_a_line_of_another_order_or_none_is_404(api, trip):
    assert api.get(f"/api/v1/orders/{trip.order.reference}/lines/999999/cancellation").status_code == 404
    assert post(api, f"/api/v1/orders/{trip.order.reference}/lines/999999/cancel").status_code == 404
    assert post(api, f"/api/v1/orders/TY-0000-NOPE/lines/{trip.line('tour').pk}/cancel").status_code == 404


def test_anonymous_is_401(client, trip):
    assert post(client, url(trip, trip.line("tour"), "cancel")).status_code == 401


def test_packed_produce_is_409_with_the_reason(api, trip):
    produce = trip.line("product")
    update_fulfilment(produce.provider_user.producer, produce.pk, FulfilmentStatus.PACKED)
    quote = api.get(url(trip, produce, "cancellation")).json()
    assert (quote["cancellable"], quote["refund_fen"]) == (False, 0) and "packed" in quote["reason"]
    before = state()
    response = post(api, url(trip, produce, "cancel"))
    assert response.status_code == 409
    assert response.json() == {"detail": quote["reason"], "code": "not_cancellable"}
    assert state() == before


def test_past_the_start_is_409_with_the_reason(api, trip):
    tour = trip.line("tour")
    before = state()
    with time_machine.travel(tour.starts_at + MINUTE, tick=False):
        response = post(api, url(trip, tour, "cancel"))
    assert response.status_code == 409
    assert response.json() == {"detail": "This booking has already started.", "code": "not_cancellable"}
    assert state() == before


def test_cancelling_twice_is_409(api, trip, django_capture_on_commit_callbacks):
    tour = trip.line("tour")
    assert post(api, url(trip, tour, "cancel"), capture=django_capture_on_commit_callbacks).status_code == 200
    before = state()
    response = post(api, url(trip, tour, "cancel"), capture=django_capture_on_commit_callbacks)
    assert response.status_code == 409
    assert response.json() == {"detail": "This line is already cancelled.", "code": "already_cancelled"}
    assert api.get(url(trip, tour, "cancellation")).status_code == 409
    assert state() == before


@pytest.mark.parametrize(
    ("kind", "body", "message"),
    [
        ("ticket", {"quantity": 6}, "This line holds 5: please give a number from 1 to 5."),
        ("ticket", {"quantity": 0}, "This line holds 5: please give a number from 1 to 5."),
        ("stay", {"quantity": 2}, "This line holds 1: please give a number from 1 to 1."),
    ],
)
def test_a_quantity_larger_than_held_is_422_with_a_clear_message(api, trip, kind, body, message):
    before = state()
    response = post(api, url(trip, trip.line(kind), "cancel"), body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == [{"type": "value_error", "loc": ["body", "quantity"], "msg": message}]
    assert state() == before


@pytest.mark.parametrize(
    "body", [{"quantity": "three"}, {"quantity": 2.5}, {"quantity": True}, {"shown_refund_fen": "1"}]
)
def test_malformed_input_is_422(api, trip, body):
    before = state()
    assert post(api, url(trip, trip.line("ticket"), "cancel"), body).status_code == 422
    assert state() == before


def test_a_refund_not_the_one_shown_is_409_and_changes_nothing(api, trip):
    before = state()
    response = post(api, url(trip, trip.line("tour"), "cancel"), {"shown_refund_fen": TOUR_FEN + 1})
    assert response.status_code == 409
    assert response.json()["code"] == "refund_changed" and "¥160.00" in response.json()["detail"]
    assert state() == before


def test_the_openapi_schema_documents_the_answers(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    quote = paths["/api/v1/orders/{ref}/lines/{line_id}/cancellation"]["get"]
    cancel = paths["/api/v1/orders/{ref}/lines/{line_id}/cancel"]["post"]
    assert {"200", "404", "409", "422"} <= set(quote["responses"]) and {"200", "404", "409", "422"} <= set(
        cancel["responses"]
    )
    schemas = api.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "LineCancelIn" in json.dumps(cancel["requestBody"]) and not cancel["requestBody"]["required"]
    assert set(schemas["LineCancelIn"]["properties"]) == {"quantity", "shown_refund_fen"}
    assert {"id", "status"} <= set(schemas["OrderLineOut"]["required"])
