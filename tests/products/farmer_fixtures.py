"""Fixtures and helpers of the farmer dashboard tests (import the fixtures by name)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.roles import FARMERS, MODERATORS
from accounts.services import assign_role
from products.services import ensure_product_workflow
from tests.factories.accounts import UserFactory
from tests.factories.products import ProducerFactory
from tests.factories.town import VillageFactory


def photo_bytes(fmt="JPEG", size=(800, 600), color=(200, 60, 40), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name="strawberries.jpg", fmt="JPEG", content_type="image/jpeg", **kwargs):
    return SimpleUploadedFile(name, photo_bytes(fmt, **kwargs), content_type=content_type)


def bomb_png(size=(8000, 8000)):
    """A real PNG made by Pillow: a few kilobytes on disk, tens of millions of pixels decoded."""
    buffer = io.BytesIO()
    Image.new("1", size, 0).save(buffer, format="PNG", optimize=True)
    return SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")


def product_form_data(**extra):
    data = {
        "name": "奶油草莓",
        "category": "fruit",
        "description": "山脚大棚里的草莓，当天摘。",
        "unit": "jin",
        "price_yuan": "35.50",
        "remaining": "40",
        "months_in_season": ["1", "2", "3"],
        "origin_village": "",
        "video_url": "",
        "offers_pickup": "on",
    }
    data.update(extra)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def product_workflow(db):
    """The shop's "Product moderation" workflow (set up after migrate; made here if missing)."""
    return ensure_product_workflow()


@pytest.fixture
def village(db):
    return VillageFactory(name="桃花坞")


def make_farmer(**kwargs):
    producer = ProducerFactory(**kwargs)
    assign_role(producer.user, FARMERS)
    return producer


@pytest.fixture
def farmer(db, village):
    return make_farmer(village=village, display_name="王大姐")


@pytest.fixture
def other_farmer(db, village):
    return make_farmer(village=village, display_name="李大哥")


@pytest.fixture
def moderator(db):
    """A moderator: the products app gives the role the right to publish products."""
    ensure_product_workflow()
    user = UserFactory(email="moderator@example.com", is_staff=True)
    assign_role(user, MODERATORS)
    return user


@pytest.fixture
def farmer_client(client, farmer):
    client.force_login(farmer.user)
    return client


def approve(product, moderator, comment=""):
    """The moderator approves the current task, as the admin's workflow action does."""
    product.refresh_from_db()
    task = product.current_workflow_task
    task.on_action(product.current_workflow_task_state, moderator, "approve", comment=comment)
    product.refresh_from_db()
    return product


def request_changes(product, moderator, comment):
    product.refresh_from_db()
    task = product.current_workflow_task
    task.on_action(product.current_workflow_task_state, moderator, "reject", comment=comment)
    product.refresh_from_db()
    return product


def sold_line(product, *, status="confirmed", quantity=2, delivery="pickup", created_at=None, **options):
    """An order line for ``product`` in an order of ``status`` (made directly: the checkout has
    its own tests; test_flow goes through it)."""
    from orders.models import Order, OrderLine
    from tests.factories.orders import OrderFactory

    order = OrderFactory(status=status, total_fen=product.price_fen * quantity)
    if created_at is not None:
        Order.objects.filter(pk=order.pk).update(created_at=created_at)
    return OrderLine.objects.create(
        order=order,
        kind="product",
        object_id=product.pk,
        title=product.name,
        item_name=product.producer.display_name,
        quantity=quantity,
        unit_price_fen=product.price_fen,
        total_fen=product.price_fen * quantity + (1200 if delivery == "shipping" else 0),
        options={"delivery": delivery, **options},
        provider_user=product.producer.user,
    )
