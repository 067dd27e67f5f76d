"""A farmer or a buyer with only a phone hears by SMS (accounts.notices): the staff's decision on
a farmer's application, and a parcel shipped."""

import pytest

from orders.models import OrderLine
from products import producers
from products.dashboard import services
from products.models import ProducerStatus
from tests.factories.accounts import SuperuserFactory, UserFactory
from tests.factories.orders import OrderFactory
from tests.factories.products import ProducerFactory, ProductFactory
from town import sms

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def phone_user(number, **fields):
    return UserFactory(email=None, phone_number=number, phone_verified=True, **fields)


def test_a_phone_only_farmer_is_texted_the_verification(outbox, django_capture_on_commit_callbacks):
    producer = ProducerFactory(user=phone_user("+8613900000031"), status=ProducerStatus.APPLIED)

    with django_capture_on_commit_callbacks(execute=True):
        producers.verify(producer, by=SuperuserFactory())

    [message] = outbox
    assert message.phone == "+8613900000031"
    assert message.template == "producer_verified"
    assert message.text.startswith("您现在可以在田园好物销售农产品了：")


def test_a_phone_only_buyer_is_texted_the_tracking_number(outbox, django_capture_on_commit_callbacks):
    producer = ProducerFactory()
    product = ProductFactory(producer=producer, name="蜜桃")
    order = OrderFactory(user=phone_user("+8613900000032"), status="paid", language="en")
    line = OrderLine.objects.create(
        order=order,
        kind="product",
        object_id=product.pk,
        title="蜜桃",
        unit_price_fen=5000,
        total_fen=5000,
        options={"delivery": "shipping", "shipping_region": "浙江"},
        provider_user=producer.user,
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.update_fulfilment(producer, line.pk, "packed")
        services.update_fulfilment(producer, line.pk, "shipped", tracking_number="SF1234567")

    [message] = outbox
    assert message.template == "produce_shipped"
    assert message.text == f"Your 蜜桃 ({order.reference}) is shipped, tracking number SF1234567."
