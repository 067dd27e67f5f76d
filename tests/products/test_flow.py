"""The whole story, through the pages: a farmer lists a product from the dashboard, a moderator
approves it through the workflow in the admin, it appears in the shop, a visitor buys it with a
stay in one order (delivered to their homestay), and the farmer sees and fulfils only that line."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from orders.models import Order, OrderLine, OrderStatus, Reservation, ReservationStatus
from products.models import FulfilmentStatus, LineFulfilment, Product
from tests.factories.products import ProductFactory, ShopPageFactory

from .farmer_fixtures import product_form_data, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def logged_in(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_listed_approved_bought_with_a_stay_and_fulfilled(
    home_page,
    farmer,
    other_farmer,
    moderator,
    visitor,
    stay_room,
    arrival,
    product_workflow,
    django_capture_on_commit_callbacks,
):
    shop = ShopPageFactory(parent=home_page)
    # Another farmer's produce goes into the same order: our farmer must not see it.
    neighbour = ProductFactory(producer=other_farmer, name="隔壁的蜂蜜", stock=5)

    # 1. The farmer lists the product from the phone dashboard and sends it for review.
    farmer_web = logged_in(farmer.user)
    response = farmer_web.post(
        reverse("farmer_product_create"),
        product_form_data(
            name="高山云雾茶",
            category="tea",
            unit="box",
            price_yuan="88.00",
            remaining="10",
            offers_homestay_delivery="on",
            photos=upload("tea.jpg"),
        ),
    )
    assert response.status_code == 302
    product = Product.objects.get(name="高山云雾茶")
    product_url = f"{shop.url}{product.pk}/{product.slug}/"
    assert farmer_web.post(reverse("farmer_product_submit", args=[product.pk])).status_code == 302

    visitor_web = logged_in(visitor)
    assert visitor_web.get(product_url).status_code == 404  # not on sale before approval
    assert "高山云雾茶" not in visitor_web.get(shop.url).content.decode()

    # 2. The moderator approves it through the workflow, in the admin.
    product.refresh_from_db()
    task_state = product.current_workflow_task_state
    moderator_web = logged_in(moderator)
    response = moderator_web.post(
        reverse(
            "wagtailsnippets_products_product:workflow_action", args=[product.pk, "approve", task_state.pk]
        ),
        {"comment": "很好"},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.live

    # 3. It is in the shop.
    listing = visitor_web.get(shop.url)
    assert listing.status_code == 200 and "高山云雾茶" in listing.content.decode()
    assert visitor_web.get(product_url).status_code == 200

    # 4. The visitor books a stay and buys the tea delivered to the homestay, in one order.
    response = visitor_web.post(
        reverse("orders_basket_add"),
        {
            "room_type_id": stay_room.pk,
            "check_in": arrival.isoformat(),
            "check_out": (arrival + timedelta(days=2)).isoformat(),
            "guests": 2,
            "rooms": 1,
        },
    )
    assert response.status_code == 302
    response = visitor_web.post(
        product_url, {"quantity": 3, "delivery": "homestay", "delivery_date": arrival.isoformat()}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    neighbour_url = f"{shop.url}{neighbour.pk}/{neighbour.slug}/"
    assert visitor_web.post(neighbour_url, {"quantity": 1, "delivery": "pickup"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor_web.post(
            reverse("orders_checkout"),
            {
                "contact_name": "李华",
                "contact_phone": "+86 138 0000 0000",
                "payment_method": "on_site",
                "token": str(uuid.uuid4()),
            },
        )
    assert response.status_code == 302
    order = Order.objects.get(user=visitor)
    assert order.status == OrderStatus.CONFIRMED
    assert sorted(order.lines.values_list("kind", flat=True)) == ["product", "product", "stay"]
    tea_line = order.lines.get(object_id=product.pk, kind="product")
    assert (tea_line.quantity, tea_line.unit_price_fen, tea_line.total_fen) == (3, 8800, 26400)
    assert tea_line.options["delivery"] == "homestay"
    assert tea_line.provider_user == farmer.user
    assert Reservation.objects.get(order_line=tea_line).status == ReservationStatus.CONFIRMED
    assert order.total_fen == sum(order.lines.values_list("total_fen", flat=True))

    # 5. The farmer sees only their line, and fulfils it.
    page = farmer_web.get(reverse("farmer_orders"))
    assert [line.pk for line in page.context["open_lines"]] == [tea_line.pk]
    html = page.content.decode()
    assert order.reference in html and "隔壁的蜂蜜" not in html and stay_room.name not in html
    for line in order.lines.exclude(pk=tea_line.pk):
        response = farmer_web.post(reverse("farmer_line_update", args=[line.pk]), {"status": "packed"})
        assert response.status_code == 404
    url = reverse("farmer_line_update", args=[tea_line.pk])
    assert farmer_web.post(url, {"status": "packed"}).status_code == 302
    assert farmer_web.post(url, {"status": "handed_over"}).status_code == 302
    assert LineFulfilment.objects.get().order_line == tea_line
    assert LineFulfilment.objects.get().status == FulfilmentStatus.HANDED_OVER
    sales = farmer_web.get(reverse("farmer_sales")).context["sales"]
    assert (sales.units, sales.revenue_fen, sales.orders) == (3, 26400, 1)
    assert OrderLine.objects.filter(kind="product").count() == 2
