"""The farmer dashboard: products through drafts and the moderation workflow, orders to fulfil,
sales of the month."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import WorkflowState

from products.dashboard import selectors, services
from products.models import FulfilmentStatus, LineFulfilment, Product
from tests.factories.products import ProductFactory

from .farmer_fixtures import approve, product_form_data, request_changes, sold_line, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]


def status_of(client, product):
    page = client.get(reverse("farmer_products")).content.decode()
    marker = f'data-product="{product.pk}"'
    assert marker in page
    chunk = page.split(marker, 1)[1]
    return chunk.split('data-status="', 1)[1].split('"', 1)[0]


# --- products --------------------------------------------------------------------------------


def test_phone_form_has_labelled_fields_and_the_camera(farmer_client):
    page = farmer_client.get(reverse("farmer_product_create")).content.decode()
    assert 'name="viewport"' in page
    for field in ("name", "price_yuan", "remaining", "category", "unit", "photos", "video_url"):
        assert f'<label for="id_{field}"' in page
    assert 'accept="image/*"' in page and 'capture="environment"' in page
    assert 'enctype="multipart/form-data"' in page


def test_create_saves_a_draft_with_a_revision_and_price_in_fen(farmer_client, farmer, village):
    response = farmer_client.post(
        reverse("farmer_product_create"),
        product_form_data(origin_village=village.pk, offers_shipping="on", photos=upload()),
    )
    product = Product.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("farmer_product_edit", args=[product.pk])
    assert (product.producer, product.live, product.price_fen, product.stock) == (farmer, False, 3550, 40)
    assert product.months_in_season == [1, 2, 3]
    assert product.delivery_options == ["pickup", "shipping"]
    assert product.origin_village == village
    assert product.latest_revision is not None
    assert product.photos.count() == 1
    assert status_of(farmer_client, product) == "draft"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price_yuan": "0"}, "price_yuan"),
        ({"price_yuan": "12.345"}, "price_yuan"),
        ({"price_yuan": "abc"}, "price_yuan"),
        ({"remaining": "-1"}, "remaining"),
        ({"category": "weapons"}, "category"),
        ({"months_in_season": ["13"]}, "months_in_season"),
        ({"video_url": "javascript:alert(1)"}, "video_url"),
        ({"name": ""}, "name"),
        ({"offers_pickup": None}, "__all__"),
    ],
)
def test_bad_product_input_is_a_422_and_saves_nothing(farmer_client, change, field):
    response = farmer_client.post(reverse("farmer_product_create"), product_form_data(**change))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not Product.objects.exists()


def test_submit_review_approve_makes_it_live(farmer_client, farmer, moderator, product_workflow):
    farmer_client.post(reverse("farmer_product_create"), product_form_data())
    product = Product.objects.get()
    response = farmer_client.post(reverse("farmer_product_submit", args=[product.pk]))
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.workflow_in_progress
    assert status_of(farmer_client, product) == "in_review"
    # Locked while in review.
    response = farmer_client.post(
        reverse("farmer_product_edit", args=[product.pk]), product_form_data(name="改名")
    )
    assert response.status_code == 409
    approve(product, moderator)
    assert product.live
    assert status_of(farmer_client, product) == "live"


def test_changes_requested_shows_the_comment_and_resubmits_the_same_workflow(
    farmer_client, farmer, moderator, product_workflow
):
    farmer_client.post(reverse("farmer_product_create"), product_form_data())
    product = Product.objects.get()
    farmer_client.post(reverse("farmer_product_submit", args=[product.pk]))
    request_changes(product, moderator, "请换一张清楚的照片")
    assert status_of(farmer_client, product) == "changes_requested"
    assert "请换一张清楚的照片" in farmer_client.get(reverse("farmer_products")).content.decode()
    state = WorkflowState.objects.for_instance(product).get()
    farmer_client.post(reverse("farmer_product_edit", args=[product.pk]), product_form_data(name="新鲜草莓"))
    farmer_client.post(reverse("farmer_product_submit", args=[product.pk]))
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert WorkflowState.objects.for_instance(product).count() == 1
    approve(product, moderator)
    assert (product.live, product.name) == (True, "新鲜草莓")


def test_edits_to_a_live_product_wait_for_review_but_stock_changes_at_once(
    farmer_client, farmer, moderator, product_workflow
):
    product = ProductFactory(producer=farmer, name="土鸡蛋", price_fen=6800, stock=20)
    product.save_revision().publish()
    response = farmer_client.post(
        reverse("farmer_product_edit", args=[product.pk]),
        product_form_data(name="散养土鸡蛋", price_yuan="99", remaining="5"),
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.price_fen, product.stock) == ("土鸡蛋", 6800, 5)
    assert status_of(farmer_client, product) == "live_changes"
    # The edit page shows the farmer's latest version, not the live one.
    page = farmer_client.get(reverse("farmer_product_edit", args=[product.pk])).content.decode()
    assert "散养土鸡蛋" in page
    farmer_client.post(reverse("farmer_product_submit", args=[product.pk]))
    approve(product, moderator)
    assert (product.name, product.price_fen, product.stock) == ("散养土鸡蛋", 9900, 5)


def test_stock_can_change_at_once_even_while_in_review(farmer_client, farmer, moderator, product_workflow):
    product = ProductFactory(producer=farmer, name="土鸡蛋", stock=20)
    product.save_revision().publish()
    # On sale with nothing pending: the row changes, no revision to review appears.
    assert (
        farmer_client.post(
            reverse("farmer_product_stock", args=[product.pk]), {"remaining": "12"}
        ).status_code
        == 302
    )
    product.refresh_from_db()
    assert (product.stock, product.has_unpublished_changes) == (12, False)
    assert status_of(farmer_client, product) == "live"
    # Changes in review, then the eggs sell out at the market: the approval keeps the new stock.
    farmer_client.post(
        reverse("farmer_product_edit", args=[product.pk]),
        product_form_data(name="散养土鸡蛋", remaining="12"),
    )
    farmer_client.post(reverse("farmer_product_submit", args=[product.pk]))
    assert (
        farmer_client.post(reverse("farmer_product_stock", args=[product.pk]), {"remaining": "0"}).status_code
        == 302
    )
    product.refresh_from_db()
    assert product.stock == 0 and product.workflow_in_progress
    approve(product, moderator)
    assert (product.name, product.stock) == ("散养土鸡蛋", 0)


@pytest.mark.parametrize("stock", ["-1", "lots", "", "100001"])
def test_bad_stock_is_refused(farmer_client, farmer, stock):
    product = ProductFactory(producer=farmer, stock=20)
    response = farmer_client.post(reverse("farmer_product_stock", args=[product.pk]), {"remaining": stock})
    assert response.status_code == 422
    product.refresh_from_db()
    assert product.stock == 20


def test_withdraw_from_review_unlocks_editing(farmer_client, farmer, product_workflow):
    farmer_client.post(reverse("farmer_product_create"), product_form_data())
    product = Product.objects.get()
    farmer_client.post(reverse("farmer_product_submit", args=[product.pk]))
    response = farmer_client.post(reverse("farmer_product_withdraw", args=[product.pk]))
    assert response.status_code == 302
    assert status_of(farmer_client, product) == "draft"
    response = farmer_client.post(
        reverse("farmer_product_edit", args=[product.pk]), product_form_data(name="改名")
    )
    assert response.status_code == 302


def test_submitting_twice_or_without_changes_is_refused(farmer_client, farmer, product_workflow):
    live = ProductFactory(producer=farmer)
    live.save_revision().publish()
    response = farmer_client.post(reverse("farmer_product_submit", args=[live.pk]))
    assert response.status_code == 422
    assert "no changes to review" in response.content.decode()
    farmer_client.post(reverse("farmer_product_create"), product_form_data())
    draft = Product.objects.exclude(pk=live.pk).get()
    farmer_client.post(reverse("farmer_product_submit", args=[draft.pk]))
    response = farmer_client.post(reverse("farmer_product_submit", args=[draft.pk]))
    assert response.status_code == 422
    assert WorkflowState.objects.for_instance(draft).count() == 1


def test_photos_can_be_removed_and_added(farmer_client, farmer):
    farmer_client.post(
        reverse("farmer_product_create"), product_form_data(photos=[upload("a.jpg"), upload("b.jpg")])
    )
    product = Product.objects.get()
    first, second = product.photos.order_by("sort_order")
    response = farmer_client.post(
        reverse("farmer_product_edit", args=[product.pk]),
        product_form_data(
            remove_photos=[str(first.image_id)], gallery_photos=upload("c.png", "PNG", "image/png")
        ),
    )
    assert response.status_code == 302
    images = list(product.photos.order_by("sort_order").values_list("image_id", flat=True))
    assert images[0] == second.image_id and len(images) == 2


def test_product_list_query_count_does_not_grow(farmer_client, farmer, product_workflow):
    for _ in range(2):
        farmer_client.post(reverse("farmer_product_create"), product_form_data(photos=upload()))
    farmer_client.get(reverse("farmer_products"))  # renditions are made on the first view
    with CaptureQueriesContext(connection) as few:
        farmer_client.get(reverse("farmer_products"))
    for _ in range(4):
        farmer_client.post(reverse("farmer_product_create"), product_form_data(photos=upload()))
    for product in Product.objects.all()[:3]:
        farmer_client.post(reverse("farmer_product_submit", args=[product.pk]))
    farmer_client.get(reverse("farmer_products"))
    with CaptureQueriesContext(connection) as many:
        response = farmer_client.get(reverse("farmer_products"))
    assert len(response.context["rows"]) == 6
    assert len(many.captured_queries) == len(few.captured_queries)


# --- orders to fulfil ------------------------------------------------------------------------


def test_orders_page_lists_only_confirmed_and_paid_lines_of_mine(farmer_client, farmer):
    product = ProductFactory(producer=farmer)
    mine = sold_line(product, status="confirmed")
    paid = sold_line(product, status="paid")
    sold_line(product, status="pending")
    sold_line(product, status="cancelled")
    sold_line(ProductFactory())  # another farmer's
    page = farmer_client.get(reverse("farmer_orders"))
    assert page.status_code == 200
    shown = {line.pk for line in page.context["open_lines"]}
    assert shown == {mine.pk, paid.pk}


def test_pickup_line_goes_packed_then_handed_over(farmer_client, farmer):
    line = sold_line(ProductFactory(producer=farmer), delivery="pickup")
    url = reverse("farmer_line_update", args=[line.pk])
    assert farmer_client.post(url, {"status": "packed"}).status_code == 302
    assert LineFulfilment.objects.get(order_line=line).status == FulfilmentStatus.PACKED
    # A shipped step is not for a pickup line.
    assert farmer_client.post(url, {"status": "shipped", "tracking_number": "SF1234567"}).status_code == 422
    assert farmer_client.post(url, {"status": "handed_over"}).status_code == 302
    fulfilment = LineFulfilment.objects.get(order_line=line)
    assert (fulfilment.status, fulfilment.updated_by) == (FulfilmentStatus.HANDED_OVER, farmer.user)
    # Going back is refused; repeating the last step is harmless.
    assert farmer_client.post(url, {"status": "packed"}).status_code == 422
    assert farmer_client.post(url, {"status": "handed_over"}).status_code == 302
    page = farmer_client.get(reverse("farmer_orders"))
    assert [x.pk for x in page.context["done_lines"]] == [line.pk]


def test_shipping_line_needs_a_tracking_number(farmer_client, farmer, django_capture_on_commit_callbacks):
    line = sold_line(ProductFactory(producer=farmer), delivery="shipping", shipping_region="浙江")
    url = reverse("farmer_line_update", args=[line.pk])
    response = farmer_client.post(url, {"status": "shipped", "tracking_number": ""})
    assert response.status_code == 422
    assert "tracking number" in response.content.decode()
    assert not LineFulfilment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = farmer_client.post(url, {"status": "shipped", "tracking_number": " SF 1234 5678 "})
    assert response.status_code == 302
    fulfilment = LineFulfilment.objects.get(order_line=line)
    assert (fulfilment.status, fulfilment.tracking_number) == (FulfilmentStatus.SHIPPED, "SF 1234 5678")
    (notice,) = mail.outbox
    assert notice.to == [line.order.user.email]
    assert "SF 1234 5678" in notice.body and line.order.reference in notice.subject


def test_a_made_up_step_is_refused(farmer_client, farmer):
    line = sold_line(ProductFactory(producer=farmer))
    response = farmer_client.post(reverse("farmer_line_update", args=[line.pk]), {"status": "eaten"})
    assert response.status_code == 422
    assert not LineFulfilment.objects.exists()


def test_orders_and_sales_pages_query_count_does_not_grow(farmer_client, farmer):
    product = ProductFactory(producer=farmer)

    def queries(name):
        with CaptureQueriesContext(connection) as captured:
            assert farmer_client.get(reverse(name)).status_code == 200
        return len(captured.captured_queries)

    sold_line(product)
    for name in ("farmer_orders", "farmer_sales"):
        queries(name)  # first visit: session and site caches
    few = {name: queries(name) for name in ("farmer_orders", "farmer_sales")}
    for _ in range(3):
        line = sold_line(ProductFactory(producer=farmer), delivery="shipping")
        services.update_fulfilment(farmer, line.pk, "shipped", tracking_number="SF123456")
        sold_line(product, status="paid")
    assert {name: queries(name) for name in few} == few


# --- sales -----------------------------------------------------------------------------------


def test_sales_this_month_counts_confirmed_and_paid_orders(farmer_client, farmer):
    eggs = ProductFactory(producer=farmer, price_fen=6800)
    tea = ProductFactory(producer=farmer, price_fen=12000)
    sold_line(eggs, status="confirmed", quantity=2)
    sold_line(eggs, status="paid", quantity=3, delivery="shipping")  # shipping not counted as revenue
    sold_line(tea, status="completed", quantity=1)
    sold_line(tea, status="pending", quantity=5)
    sold_line(tea, status="cancelled", quantity=5)
    sold_line(ProductFactory(price_fen=100), status="paid", quantity=9)  # someone else's
    start, _end = selectors.month_bounds()
    sold_line(eggs, status="paid", quantity=7, created_at=start - timedelta(minutes=1))  # last month
    response = farmer_client.get(reverse("farmer_sales"))
    sales = response.context["sales"]
    assert (sales.units, sales.revenue_fen, sales.orders) == (6, 5 * 6800 + 12000, 3)
    assert [(row["object_id"], row["units"], row["revenue_fen"]) for row in sales.by_product] == [
        (eggs.pk, 5, 34000),
        (tea.pk, 1, 12000),
    ]
    assert "¥460.00" in response.content.decode()


def test_month_bounds_follow_the_town_clock():
    # 2026-03-31 17:00 UTC is already April 1st in Asia/Shanghai.
    now = timezone.make_aware(timezone.datetime(2026, 3, 31, 17, 0), timezone.get_fixed_timezone(0))
    start, end = selectors.month_bounds(now)
    assert (start.month, start.day, end.month, end.day) == (4, 1, 5, 1)
    assert start.utcoffset() == timedelta(hours=8)


def test_services_refuse_another_farmers_objects(farmer, other_farmer):
    theirs = ProductFactory(producer=other_farmer)
    line = sold_line(theirs)
    with pytest.raises(services.NotFound):
        services.update_product(farmer, theirs.pk, data={})
    with pytest.raises(services.NotFound):
        services.submit_for_review(farmer, theirs.pk)
    with pytest.raises(services.NotFound):
        services.update_fulfilment(farmer, line.pk, "packed")
    assert not LineFulfilment.objects.exists()
