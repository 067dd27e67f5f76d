"""The shop's JSON API: GET /api/v1/products, and product lines through the basket API."""

import json

import pytest

from orders.models import BasketLine
from orders.reservations import Claim, reserve
from tests.factories.products import ProducerFactory, ProductFactory, ProductPhotoFactory

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_products_list_live_products_with_filters(client, shop, product):
    ProductFactory(name="草莓酱", category="processed", price_fen=3800)
    ProductFactory(name="草稿", live=False)
    ProductPhotoFactory(product=product)
    body = client.get("/api/v1/products").json()
    assert body["count"] == 2
    assert {p["name"] for p in body["results"]} == {"奶油草莓", "草莓酱"}
    fruit = client.get("/api/v1/products", {"category": "fruit"}).json()
    assert [p["name"] for p in fruit["results"]] == ["奶油草莓"]
    assert fruit["results"][0]["photo_url"].endswith(".webp")
    assert fruit["results"][0]["url"].startswith(f"http://testserver{shop.url}{product.pk}/")
    cheap = client.get("/api/v1/products", {"price_max_fen": 3600, "sort": "price_asc"}).json()
    assert [p["price_fen"] for p in cheap["results"]] == [3500]


def test_products_api_never_exposes_staff_fields(client, shop):
    producer = ProducerFactory(supported_household=True, staff_notes="重点帮扶户")
    ProductFactory(producer=producer)
    raw = client.get("/api/v1/products").content.decode()
    assert "supported" not in raw
    assert "staff" not in raw
    assert "重点帮扶户" not in raw
    schema = client.get("/api/v1/openapi.json").content.decode()
    assert "supported_household" not in schema


@pytest.mark.parametrize(
    "params",
    [
        {"category": "spaceships"},
        {"limit": 0},
        {"limit": 1000},
        {"sort": "evil"},
        {"price_min_fen": -1},
        {"price_min_fen": 500, "price_max_fen": 100},
    ],
)
def test_bad_product_queries_get_422(client, params):
    assert client.get("/api/v1/products", params).status_code == 422


def test_unknown_village_and_product_get_404(client, product):
    assert client.get("/api/v1/products", {"village_id": 999999}).status_code == 404
    assert client.get("/api/v1/products/999999").status_code == 404
    draft = ProductFactory(live=False)
    assert client.get(f"/api/v1/products/{draft.pk}").status_code == 404


def test_one_product_shows_units_left(client, product):
    reserve([Claim("product", product.pk, 4)])
    body = client.get(f"/api/v1/products/{product.pk}").json()
    assert body["units_left"] == 6
    assert body["sold_out"] is False


def test_product_line_through_the_basket_api_with_shipping(client, product, shipping_rate):
    response = post(
        client,
        "/api/v1/basket/lines",
        {
            "kind": "product",
            "product_id": product.pk,
            "quantity": 2,
            "delivery": "shipping",
            "shipping_region": "浙江",
            "shipping_address": "杭州市西湖区 1 号",
            "price_fen": 1,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["total_fen"] == 2 * 3500 + 1200
    assert BasketLine.objects.get().options["shipping_address"] == "杭州市西湖区 1 号"


def test_bad_product_line_gets_422_and_sold_out_409(client, product):
    bad = post(client, "/api/v1/basket/lines", {"kind": "product", "product_id": product.pk, "quantity": 0})
    assert bad.status_code == 422
    fields = {error["loc"][-1] for error in bad.json()["detail"]}
    assert {"quantity", "delivery"} <= fields
    reserve([Claim("product", product.pk, 10)])
    sold_out = post(
        client, "/api/v1/basket/lines", {"kind": "product", "product_id": product.pk, "delivery": "pickup"}
    )
    assert sold_out.status_code == 409
    assert BasketLine.objects.count() == 0
