"""The "product" line kind: validation, delivery rules, pricing with shipping, snapshots."""

from datetime import timedelta

import pytest
from django.utils import translation

from orders import basket as basket_service
from orders.exceptions import ReservationError
from orders.lines import LineInvalid, get_line_kind
from orders.models import Basket, Order, OrderLine, OrderStatus
from orders.reservations import local_today
from products.models import ProducerStatus
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.products import ProductFactory
from tests.orders.checkout_fixtures import basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

handler = get_line_kind("product")


def data(product, **extra):
    return {"kind": "product", "product_id": product.pk, "quantity": 2, "delivery": "pickup", **extra}


def visitor_basket(user=None):
    user = user or VerifiedUserFactory()
    basket, _ = Basket.objects.get_or_create(user=user)
    return user, basket


def test_valid_pickup_line_keeps_the_delivery_in_options(product):
    cleaned = handler.validate(data(product))
    assert cleaned.object_id == product.pk
    assert cleaned.quantity == 2
    assert cleaned.options == {"delivery": "pickup"}


@pytest.mark.parametrize("quantity", [0, -1, 100, "two", 1.5, True])
def test_bad_quantity_is_refused(product, quantity):
    with pytest.raises(LineInvalid) as exc:
        handler.validate(data(product, quantity=quantity))
    assert "quantity" in exc.value.errors


def test_unknown_product_is_refused(db):
    with pytest.raises(LineInvalid) as exc:
        handler.validate({"kind": "product", "product_id": 999999, "delivery": "pickup"})
    assert "product_id" in exc.value.errors


def test_draft_product_is_not_sold(db):
    draft = ProductFactory(live=False)
    with pytest.raises(LineInvalid) as exc:
        handler.validate(data(draft))
    assert "product_id" in exc.value.errors


def test_product_of_an_unverified_producer_is_not_sold(product):
    product.producer.status = ProducerStatus.REJECTED
    product.producer.save()
    with pytest.raises(LineInvalid) as exc:
        handler.validate(data(product))
    assert "product_id" in exc.value.errors


@pytest.mark.parametrize("delivery", [None, "", "drone", 3, ["pickup"], {"a": 1}])
def test_unknown_delivery_is_refused(product, delivery):
    with pytest.raises(LineInvalid) as exc:
        handler.validate(data(product, delivery=delivery))
    assert "delivery" in exc.value.errors


def test_delivery_the_product_does_not_offer_is_refused(db):
    product = ProductFactory(offers_shipping=False)
    with pytest.raises(LineInvalid) as exc:
        handler.validate(data(product, delivery="shipping", shipping_region="浙江", shipping_address="x"))
    assert "delivery" in exc.value.errors


@pytest.mark.parametrize("region", [["浙江"], {"x": 1}, 3.5, None])
def test_malformed_shipping_region_is_a_field_error(product, shipping_rate, region):
    with pytest.raises(LineInvalid) as exc:
        handler.validate(data(product, delivery="shipping", shipping_region=region, shipping_address=["x"]))
    assert set(exc.value.errors) == {"shipping_region", "shipping_address"}


def test_shipping_needs_a_known_region_and_an_address(product, shipping_rate):
    with pytest.raises(LineInvalid) as exc:
        handler.validate(data(product, delivery="shipping", shipping_region="火星"))
    assert set(exc.value.errors) == {"shipping_region", "shipping_address"}


def test_price_is_unit_price_times_quantity_plus_the_region_fee(product, shipping_rate):
    _user, basket = visitor_basket()
    line = basket_service.add_line(
        basket,
        data(
            product,
            quantity=3,
            delivery="shipping",
            shipping_region="浙江",
            shipping_address="杭州西湖区 1 号",
        ),
    )
    assert line.options["shipping_region"] == "浙江"
    price = handler.price(line)
    assert price.unit.fen == 3500
    assert price.total.fen == 3 * 3500 + 1200


def test_pickup_has_no_shipping_fee(product, shipping_rate):
    _user, basket = visitor_basket()
    line = basket_service.add_line(basket, data(product, quantity=3))
    assert handler.price(line).total.fen == 3 * 3500


def test_client_price_is_ignored(product):
    _user, basket = visitor_basket()
    line = basket_service.add_line(basket, data(product, price_fen=1, total_fen=1))
    assert handler.price(line).total.fen == 2 * 3500


# --- delivery to the visitor's homestay ---------------------------------------------------------


def test_homestay_delivery_needs_a_date(product):
    with pytest.raises(LineInvalid) as exc:
        handler.validate(data(product, delivery="homestay"))
    assert "delivery_date" in exc.value.errors


def test_homestay_delivery_in_the_past_is_refused(product):
    yesterday = local_today() - timedelta(days=1)
    with pytest.raises(LineInvalid) as exc:
        handler.validate(data(product, delivery="homestay", delivery_date=yesterday.isoformat()))
    assert "delivery_date" in exc.value.errors


def test_homestay_delivery_without_a_stay_is_refused(product, arrival):
    _user, basket = visitor_basket()
    with translation.override("en"):
        with pytest.raises(ReservationError) as exc:
            basket_service.add_line(
                basket, data(product, delivery="homestay", delivery_date=arrival.isoformat())
            )
        assert "homestay" in str(exc.value.message)
    assert basket.lines.count() == 0


def _confirmed_stay(user, arrival, nights=2, status=OrderStatus.CONFIRMED):
    order = Order.objects.create(
        reference=f"T{user.pk}{nights}{status}"[:20],
        user=user,
        status=status,
        contact_name="李",
        contact_phone="1",
    )
    OrderLine.objects.create(
        order=order,
        kind="stay",
        object_id=1,
        title="竹林民宿",
        start_date=arrival,
        end_date=arrival + timedelta(days=nights),
        unit_price_fen=1,
        total_fen=1,
    )
    return order


def test_homestay_delivery_offered_with_a_confirmed_stay_covering_the_day(product, arrival):
    user, basket = visitor_basket()
    _confirmed_stay(user, arrival)
    day = arrival + timedelta(days=1)
    line = basket_service.add_line(basket, data(product, delivery="homestay", delivery_date=day.isoformat()))
    assert line.options == {"delivery": "homestay", "delivery_date": day.isoformat()}
    price = handler.price(line)
    assert price.breakdown[-1]["deliver_to"] == "竹林民宿"


@pytest.mark.parametrize("offset", [-1, 2])
def test_homestay_delivery_refused_outside_the_stay(product, arrival, offset):
    """Check-out day (offset 2 of a 2-night stay) and the day before arrival are not covered."""
    user, basket = visitor_basket()
    _confirmed_stay(user, arrival)
    day = arrival + timedelta(days=offset)
    with pytest.raises(ReservationError):
        basket_service.add_line(basket, data(product, delivery="homestay", delivery_date=day.isoformat()))


@pytest.mark.parametrize("status", [OrderStatus.PENDING, OrderStatus.CANCELLED])
def test_unconfirmed_or_cancelled_stays_do_not_count(product, arrival, status):
    user, basket = visitor_basket()
    _confirmed_stay(user, arrival, status=status)
    with pytest.raises(ReservationError):
        basket_service.add_line(basket, data(product, delivery="homestay", delivery_date=arrival.isoformat()))


def test_another_visitors_stay_does_not_count(product, arrival):
    _confirmed_stay(VerifiedUserFactory(), arrival)
    _user, basket = visitor_basket()
    with pytest.raises(ReservationError):
        basket_service.add_line(basket, data(product, delivery="homestay", delivery_date=arrival.isoformat()))


def test_stay_in_the_same_basket_counts_and_both_are_bought_in_one_order(product, stay_room, arrival):
    user = VerifiedUserFactory()
    basket = basket_with_stay(user, stay_room, arrival)
    basket_service.add_line(basket, data(product, delivery="homestay", delivery_date=arrival.isoformat()))
    result = check_out(user, basket)
    kinds = sorted(result.order.lines.values_list("kind", flat=True))
    assert kinds == ["product", "stay"]
    line = result.order.lines.get(kind="product")
    assert line.options["delivery"] == "homestay"
    assert line.provider_user == product.producer.user
    assert line.village_id == product.producer.village_id
    assert line.total_fen == 2 * 3500


def test_removing_the_stay_makes_homestay_delivery_unavailable(product, stay_room, arrival):
    user = VerifiedUserFactory()
    basket = basket_with_stay(user, stay_room, arrival)
    basket_service.add_line(basket, data(product, delivery="homestay", delivery_date=arrival.isoformat()))
    basket.lines.filter(kind="stay").delete()
    summary = basket_service.summarize(basket)
    assert [v.available for v in summary.lines] == [False]
    with pytest.raises(ReservationError):
        check_out(user, basket)
    assert Order.objects.count() == 0


def test_snapshot_names_the_producer_and_their_village(product):
    _user, basket = visitor_basket()
    line = basket_service.add_line(basket, data(product))
    snapshot = handler.snapshot(line)
    assert snapshot.title == "奶油草莓"
    assert snapshot.item_name == product.producer.display_name
    assert snapshot.provider_user == product.producer.user
    assert snapshot.village_id == product.producer.village_id
