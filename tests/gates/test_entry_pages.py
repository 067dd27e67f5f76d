"""The booking page and the windows API: what they show, what they refuse, their query counts."""

import datetime

import pytest
from django.urls import reverse

from gates.models import EntryPass
from orders.models import BasketLine

from .conftest import NOW, id_number, window_at

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

ALICE = id_number("33010619900307123")


def test_windows_api_lists_places_left(client, paid_rule, now, django_assert_num_queries):
    tomorrow = (NOW + datetime.timedelta(days=1)).date()
    url = f"/api/v1/entry/{paid_rule.spot_id}/windows?date={tomorrow}"
    client.get(url)
    with django_assert_num_queries(4):
        response = client.get(url)
    assert response.status_code == 200
    body = response.json()
    assert [w["places_left"] for w in body] == [10, 10, 10]
    assert body[0]["id"] == window_at(paid_rule, hour=9).pk


def test_windows_api_today_leaves_out_windows_that_are_over(client, paid_rule, now):
    body = client.get(f"/api/v1/entry/{paid_rule.spot_id}/windows").json()
    # 09:30: the 09:00–10:00 window still takes entries; none is over yet (first is 09:00).
    assert len(body) == 3


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [("?date=2027-03-14", 422, "bad_date"), ("?date=yesterday", 422, None), ("", 404, "no_timed_entry")],
)
def test_windows_api_bad_input(client, paid_rule, spot, now, query, status, code):
    spot_id = spot.pk if code == "no_timed_entry" else paid_rule.spot_id
    response = client.get(f"/api/v1/entry/{spot_id}/windows{query}")
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code


def test_booking_page_real_name_adds_to_the_basket(client, real_name_rule, now):
    url = reverse("gates_book", args=[real_name_rule.spot_id]) + "?date=2027-03-16"
    page = client.get(url)
    assert page.status_code == 200
    assert "id_number_0" in page.content.decode()
    window = window_at(real_name_rule)
    response = client.post(
        url, {"window_id": window.pk, "name_0": "王芳", "id_number_0": ALICE, "id_type_0": "id_card"}
    )
    assert response.status_code == 302
    line = BasketLine.objects.get()
    assert line.kind == "entry" and line.quantity == 1
    assert line.options["holders"][0]["id_masked"].startswith("3301*")


def test_booking_page_bad_id_is_422_and_stores_nothing(client, real_name_rule, now):
    url = reverse("gates_book", args=[real_name_rule.spot_id]) + "?date=2027-03-16"
    window = window_at(real_name_rule)
    response = client.post(url, {"window_id": window.pk, "name_0": "王芳", "id_number_0": ALICE[:-1] + "0"})
    assert response.status_code == 422
    assert not BasketLine.objects.exists() and not EntryPass.objects.exists()
    assert "field--error" in response.content.decode()


def test_booking_page_query_count(client, paid_rule, now, django_assert_num_queries):
    url = reverse("gates_book", args=[paid_rule.spot_id]) + "?date=2027-03-16"
    client.get(url)
    # Rule, dates, windows, claims on windows and days, the spot in English; the site, its root
    # and the footer (base.html).
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


def test_api_books_entry_with_holders(client, real_name_rule, now):
    window = window_at(real_name_rule)
    response = client.post(
        "/api/v1/basket/lines",
        {"kind": "entry", "window_id": window.pk, "holders": [{"name": "王芳", "id_number": ALICE}]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert ALICE not in response.content.decode()
    (holder,) = response.json()["options"]["holders"]
    assert holder == {"name": "王芳", "id_type": "id_card", "id_masked": ALICE[:4] + "*" * 10 + ALICE[-4:]}
    bad = client.post(
        "/api/v1/basket/lines",
        {
            "kind": "entry",
            "window_id": window.pk,
            "holders": [{"name": "李明", "id_number": "110105194912310021"}],
        },
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert BasketLine.objects.count() == 1
