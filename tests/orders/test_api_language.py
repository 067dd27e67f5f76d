"""/api/v1/ lives outside i18n_patterns: it answers in the language the caller asks for."""

import json

import pytest

from orders.models import Order

from .checkout_fixtures import basket_with_stay, stay_data

pytestmark = pytest.mark.django_db

ENGLISH = "Please give a date as YYYY-MM-DD."
CHINESE = "请按 YYYY-MM-DD 格式填写日期。"


def bad_line(client, stay_room, arrival, **headers):
    data = {**stay_data(stay_room, arrival), "check_in": "tomorrow"}
    return client.post(
        "/api/v1/basket/lines", data=json.dumps(data), content_type="application/json", **headers
    )


def messages(response):
    assert response.status_code == 422
    return {tuple(error["loc"]): error["msg"] for error in response.json()["detail"]}


def test_english_request_gets_english_messages(client, stay_room, arrival):
    response = bad_line(client, stay_room, arrival, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert messages(response)[("body", "check_in")] == ENGLISH
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("header", [None, "zh-CN,zh;q=0.9", "fr"])
def test_chinese_is_the_default(client, stay_room, arrival, header):
    headers = {"HTTP_ACCEPT_LANGUAGE": header} if header else {}
    response = bad_line(client, stay_room, arrival, **headers)
    assert messages(response)[("body", "check_in")] == CHINESE
    assert response["Content-Language"] == "zh-hans"


def test_checkout_through_the_api_keeps_the_callers_language(client, visitor, stay_room, arrival):
    client.force_login(visitor)
    basket_with_stay(visitor, stay_room, arrival)
    response = client.post(
        "/api/v1/checkout",
        data=json.dumps(
            {"payment_method": "on_site", "contact_name": "Li Hua", "contact_phone": "13800000000"}
        ),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 201, response.content
    assert Order.objects.get(reference=response.json()["order_ref"]).language == "en"
