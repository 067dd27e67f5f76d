"""The farmer's phone dashboard tells where a homestay delivery goes (the homestay's name,
address and phone, the guest, the day) and sets what is LEFT to sell, not the stock."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.roles import HOSTS
from orders.exceptions import SoldOut
from orders.models import OrderLine, OrderStatus
from orders.reservations import Claim, local_today, reserve
from products.dashboard import selectors, services
from products.selectors import units_left
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory
from tests.factories.orders import OrderFactory
from tests.factories.products import ProductFactory

from .farmer_fixtures import sold_line

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture
def homestay(home_page):
    host = VerifiedUserFactory(phone="+86 139 1111 2222")
    # Editors choose the host among the Hosts role (the field is limited to it).
    host.groups.add(Group.objects.get_or_create(name=HOSTS)[0])
    index = HomestayIndexPageFactory(parent=home_page, slug="homestays")
    return HomestayPageFactory(
        parent=index, title="竹林民宿", address="青溪镇竹园村 12 号", contact_phone="0559-1234567", host=host
    )


def stay_of(user, homestay, check_in, nights=3, status=OrderStatus.CONFIRMED, guest="王小明"):
    order = OrderFactory(user=user, status=status, contact_name=guest)
    return OrderLine.objects.create(
        order=order,
        kind="stay",
        object_id=1,
        title=homestay.title,
        item_name="大床房",
        start_date=check_in,
        end_date=check_in + timedelta(days=nights),
        unit_price_fen=30000,
        total_fen=30000 * nights,
        page_id_snapshot=homestay.pk,
        provider_user=homestay.host,
    )


def delivered(product, buyer, day):
    line = sold_line(product, delivery="homestay", delivery_date=day.isoformat())
    line.order.user = buyer
    line.order.save(update_fields=["user"])
    return line


def card_of(page, line):
    return page.split(f'data-line="{line.pk}"', 1)[1].split("</li>", 1)[0]


def test_a_homestay_delivery_card_says_homestay_address_phone_guest_and_day(farmer_client, farmer, homestay):
    buyer = VerifiedUserFactory()
    check_in = local_today() + timedelta(days=10)
    stay_of(buyer, homestay, check_in)
    line = delivered(ProductFactory(producer=farmer), buyer, check_in + timedelta(days=1))
    with translation.override("zh-hans"):
        card = card_of(farmer_client.get(reverse("farmer_orders")).content.decode(), line)
    assert "竹林民宿" in card
    assert "青溪镇竹园村 12 号" in card
    assert 'href="tel:0559-1234567"' in card
    assert "王小明" in card
    day = check_in + timedelta(days=1)
    assert f"{day.year}年{day.month}月{day.day}日" in card


def test_the_host_phone_answers_when_the_homestay_has_none(farmer, homestay):
    homestay.contact_phone = ""
    homestay.save()
    buyer = VerifiedUserFactory()
    check_in = local_today() + timedelta(days=5)
    stay_of(buyer, homestay, check_in)
    line = delivered(ProductFactory(producer=farmer), buyer, check_in)
    found = selectors.homestay_deliveries(list(selectors.lines_to_fulfil(farmer)))[line.pk]
    assert (found.place.name, found.place.phone, found.day) == ("竹林民宿", "+86 139 1111 2222", check_in)


def test_a_cancelled_stay_is_no_address(farmer_client, farmer, homestay):
    buyer = VerifiedUserFactory()
    check_in = local_today() + timedelta(days=5)
    stay_of(buyer, homestay, check_in, status=OrderStatus.CANCELLED)
    line = delivered(ProductFactory(producer=farmer), buyer, check_in)
    found = selectors.homestay_deliveries([line])[line.pk]
    assert found.place is None
    with translation.override("en"):
        card = card_of(farmer_client.get(reverse("farmer_orders")).content.decode(), line)
    assert "竹林民宿" not in card and "call the buyer" in card


def test_delivery_cards_cost_the_same_queries_for_one_or_many(farmer_client, farmer, homestay):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert farmer_client.get(reverse("farmer_orders")).status_code == 200
        return len(captured.captured_queries)

    product = ProductFactory(producer=farmer)
    check_in = local_today() + timedelta(days=5)
    buyer = VerifiedUserFactory()
    stay_of(buyer, homestay, check_in)
    delivered(product, buyer, check_in)
    queries(), queries()  # first visits: session, site and footer caches
    one = queries()
    for offset in range(1, 4):
        other = VerifiedUserFactory()
        stay_of(other, homestay, check_in)
        delivered(product, other, check_in + timedelta(days=offset % 3))
    assert queries() == one


# --- what is left ------------------------------------------------------------------------------


def test_the_phone_forms_show_what_is_left_not_the_stock(farmer_client, farmer):
    product = ProductFactory(producer=farmer, stock=10)
    reserve([Claim("product", product.pk, 3)], holder=VerifiedUserFactory())
    page = farmer_client.get(reverse("farmer_products")).content.decode()
    assert (
        f'id="remaining-{product.pk}" name="remaining" type="number" inputmode="numeric" min="0" value="7"'
        in page
    )
    edit = farmer_client.get(reverse("farmer_product_edit", args=[product.pk])).content.decode()
    assert 'name="remaining"' in edit and 'value="7"' in edit and 'name="stock"' not in edit
    # The "remaining" input itself, not one of the month boxes (July's value is 7 too).
    assert re.search(r'<input[^>]*name="remaining"[^>]*value="7"', edit)


def test_typing_what_is_left_keeps_the_sold_units_counted(farmer_client, farmer):
    product = ProductFactory(producer=farmer, stock=10)
    buyer = VerifiedUserFactory()
    reserve([Claim("product", product.pk, 3)], holder=buyer)
    response = farmer_client.post(reverse("farmer_product_stock", args=[product.pk]), {"remaining": "5"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.stock == 8  # the 3 held stay counted; 5 more can be sold
    assert units_left(product) == 5
    # Overselling is still refused by the reservation core: 5 can be had, not 6.
    with pytest.raises(SoldOut):
        reserve([Claim("product", product.pk, 6)], holder=buyer)
    reserve([Claim("product", product.pk, 5)], holder=buyer)


def test_left_plus_sold_over_the_limit_is_refused(farmer, farmer_client):
    product = ProductFactory(producer=farmer, stock=10)
    reserve([Claim("product", product.pk, 3)], holder=VerifiedUserFactory())
    with pytest.raises(services.DashboardError):
        services.set_remaining(farmer, product.pk, services.MAX_STOCK)
    product.refresh_from_db()
    assert product.stock == 10


def test_delivery_day_from_bad_options_is_skipped(farmer):
    line = sold_line(ProductFactory(producer=farmer), delivery="homestay", delivery_date="someday")
    # A day the selector cannot read is left out, not a 500 for the farmer.
    assert selectors.homestay_deliveries([line]) == {}
