"""Who may open the farmer dashboard, and what a farmer may touch: only their own products and
order lines. The supported-household flag never leaves the staff's side."""

import re

import pytest
from django.urls import reverse

from accounts.roles import HOSTS
from accounts.services import assign_role
from products.models import FulfilmentStatus, LineFulfilment, ProducerStatus, Product
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.products import ProducerFactory, ProductFactory, ProductPhotoFactory

from .farmer_fixtures import product_form_data, sold_line

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# Every dashboard page: (url name, needs an object, method). "apply" is for everyone logged in.
DASHBOARD = [
    ("farmer_products", None, "get"),
    ("farmer_profile", None, "get"),
    ("farmer_product_create", None, "get"),
    ("farmer_product_edit", "product", "get"),
    ("farmer_product_edit", "product", "post"),
    ("farmer_product_stock", "product", "post"),
    ("farmer_product_submit", "product", "post"),
    ("farmer_product_withdraw", "product", "post"),
    ("farmer_orders", None, "get"),
    ("farmer_line_update", "line", "post"),
    ("farmer_sales", None, "get"),
]


@pytest.fixture
def theirs(other_farmer):
    product = ProductFactory(producer=other_farmer, name="别人的茶叶", stock=7)
    return {"product": product, "line": sold_line(product, delivery="shipping")}


def url_for(name, kind, objects):
    return reverse(name, args=[objects[kind].pk]) if kind else reverse(name)


def call(client, method, url):
    if method == "post":
        return client.post(url, {**product_form_data(name="改掉"), "status": "packed"})
    return client.get(url)


def assert_nothing_changed(objects):
    product = objects["product"]
    product.refresh_from_db()
    assert (product.name, product.stock, product.live) == ("别人的茶叶", 7, True)
    assert product.latest_revision_id is None
    assert not LineFulfilment.objects.exists()


@pytest.mark.parametrize(("name", "kind", "method"), DASHBOARD)
def test_anonymous_visitors_are_sent_to_log_in(client, theirs, name, kind, method):
    response = call(client, method, url_for(name, kind, theirs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert_nothing_changed(theirs)


@pytest.mark.parametrize(
    "who",
    ["visitor", "host", "applicant", "rejected"],
)
@pytest.mark.parametrize(("name", "kind", "method"), DASHBOARD)
def test_people_who_are_not_verified_farmers_get_403(client, theirs, village, who, name, kind, method):
    user = VerifiedUserFactory()
    if who == "host":
        assign_role(user, HOSTS)
    elif who == "applicant":
        ProducerFactory(user=user, status=ProducerStatus.APPLIED, village=village)
    elif who == "rejected":
        ProducerFactory(user=user, status=ProducerStatus.REJECTED, village=village)
    client.force_login(user)
    response = call(client, method, url_for(name, kind, theirs))
    assert response.status_code == 403
    assert reverse("farmer_apply") in response.content.decode()
    assert_nothing_changed(theirs)


@pytest.mark.parametrize(("name", "kind", "method"), [row for row in DASHBOARD if row[1]])
def test_another_farmers_objects_are_not_found(farmer_client, theirs, product_workflow, name, kind, method):
    response = call(farmer_client, method, url_for(name, kind, theirs))
    assert response.status_code == 404
    assert_nothing_changed(theirs)


def test_another_farmers_product_in_review_cannot_be_withdrawn(farmer_client, theirs, product_workflow):
    product = theirs["product"]
    product.save_revision(user=product.producer.user)
    product_workflow.start(product, product.producer.user)
    response = farmer_client.post(reverse("farmer_product_withdraw", args=[product.pk]))
    assert response.status_code == 404
    product.refresh_from_db()
    assert product.workflow_in_progress


def test_lists_show_only_my_products_lines_and_sales(farmer_client, farmer, theirs):
    mine = ProductFactory(producer=farmer, name="我的蜂蜜")
    my_line = sold_line(mine)
    products = farmer_client.get(reverse("farmer_products"))
    assert [row.product.pk for row in products.context["rows"]] == [mine.pk]
    assert "别人的茶叶" not in products.content.decode()
    orders = farmer_client.get(reverse("farmer_orders"))
    assert [line.pk for line in orders.context["open_lines"]] == [my_line.pk]
    assert "别人的茶叶" not in orders.content.decode()
    sales = farmer_client.get(reverse("farmer_sales")).context["sales"]
    assert [row["object_id"] for row in sales.by_product] == [mine.pk]


def test_a_posted_producer_id_cannot_put_a_product_under_another_farmer(farmer_client, farmer, other_farmer):
    response = farmer_client.post(
        reverse("farmer_product_create"), product_form_data(producer=other_farmer.pk, live="on")
    )
    assert response.status_code == 302
    product = Product.objects.get(name="奶油草莓")
    assert (product.producer, product.live) == (farmer, False)


def test_another_farmer_cannot_remove_my_photos_through_their_product(farmer_client, farmer, theirs):
    photo = ProductPhotoFactory(product=theirs["product"])
    mine = ProductFactory(producer=farmer, live=False)
    ProductPhotoFactory(product=mine)
    response = farmer_client.post(
        reverse("farmer_product_edit", args=[mine.pk]), product_form_data(remove_photos=[str(photo.image_id)])
    )
    assert response.status_code == 422  # not one of this product's photos: not a valid choice
    assert theirs["product"].photos.count() == 1


def test_a_farmer_cannot_fulfil_a_line_of_a_pending_order(farmer_client, farmer):
    line = sold_line(ProductFactory(producer=farmer), status="pending")
    response = farmer_client.post(reverse("farmer_line_update", args=[line.pk]), {"status": "packed"})
    assert response.status_code == 404
    assert not LineFulfilment.objects.filter(status=FulfilmentStatus.PACKED).exists()


# --- the supported-household flag ------------------------------------------------------------

SECRET_NOTE = "STAFF-ONLY-NOTE-7Q9"


@pytest.fixture
def supported_product(home_page, village):
    from tests.factories.products import ShopPageFactory

    producer = ProducerFactory(
        village=village, supported_household=True, staff_notes=SECRET_NOTE, display_name="张阿婆"
    )
    product = ProductFactory(producer=producer, name="阿婆的笋干")
    shop = ShopPageFactory(parent=home_page)
    return shop, product


def assert_no_flag(text):
    lowered = text.lower()
    assert "supported_household" not in lowered
    assert "low-income" not in lowered
    assert "supported household" not in lowered
    # The pages render in Chinese: the field's label and the reports' word for it.
    assert "低收入" not in text
    assert "帮扶户" not in text
    assert SECRET_NOTE.lower() not in lowered


def test_supported_household_never_shows_on_public_pages(client, supported_product):
    shop, product = supported_product
    pages = [shop.url, f"{shop.url}{product.pk}/{product.slug}/", "/", f"{reverse('search')}?q=笋干"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_flag(response.content.decode())
    detail = client.get(f"{shop.url}{product.pk}/{product.slug}/").content.decode()
    assert "张阿婆" in detail  # the producer is shown, the flag is not


def test_supported_household_never_shows_in_the_farmers_own_dashboard(client, supported_product):
    _shop, product = supported_product
    client.force_login(product.producer.user)
    for name in ("farmer_products", "farmer_profile", "farmer_orders", "farmer_sales"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert_no_flag(response.content.decode())


def test_supported_household_never_shows_in_the_api(client, supported_product):
    _shop, product = supported_product
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert_no_flag(schema.content.decode())
    paths = [path for path, ops in schema.json()["paths"].items() if "get" in ops]
    assert paths
    for path in paths:
        url = "/api/v1" + re.sub(r"\{[^}]+\}", str(product.pk), path)
        response = client.get(url)
        assert response.status_code < 500, url
        assert_no_flag(response.content.decode())
