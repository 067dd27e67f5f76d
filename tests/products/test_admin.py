"""Staff in the Wagtail admin: product snippets under moderation, product order lines with filters."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.models import WorkflowContentType

from accounts.roles import MODERATORS
from orders import basket as basket_service
from orders.models import Basket
from products.models import FulfilmentStatus, LineFulfilment, Product
from products.services import MODERATION_WORKFLOW_NAME, ensure_product_workflow
from tests.factories.accounts import SuperuserFactory, UserFactory, VerifiedUserFactory
from tests.factories.products import ProductFactory
from tests.orders.checkout_fixtures import check_out

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def staff_client(client):
    client.force_login(SuperuserFactory())
    return client


def buy(product, quantity=1):
    user = VerifiedUserFactory()
    basket, _ = Basket.objects.get_or_create(user=user)
    basket_service.add_line(
        basket, {"kind": "product", "product_id": product.pk, "quantity": quantity, "delivery": "pickup"}
    )
    return check_out(user, basket).order


def test_products_have_the_moderation_workflow_after_migrate():
    """post_migrate assigned it; ensuring again changes nothing."""
    content_type = ContentType.objects.get_for_model(Product)
    assigned = WorkflowContentType.objects.get(content_type=content_type).workflow
    assert assigned.name == MODERATION_WORKFLOW_NAME
    assert ensure_product_workflow() == assigned
    assert Product().get_workflow() == assigned
    moderators = Group.objects.get(name=MODERATORS)
    assert moderators.permissions.filter(codename="publish_product").exists()
    assert assigned.tasks.get().specific.groups.filter(pk=moderators.pk).exists()


def test_product_snippets_list_and_edit(staff_client, product):
    listing = staff_client.get(reverse("wagtailsnippets_products_product:list"))
    assert listing.status_code == 200
    assert "奶油草莓" in listing.content.decode()
    edit = staff_client.get(reverse("wagtailsnippets_products_product:edit", args=[product.pk]))
    assert edit.status_code == 200
    body = edit.content.decode()
    assert 'name="months_in_season"' in body and 'type="checkbox"' in body


def test_moderator_sees_the_product_list_but_a_plain_user_does_not(client, product):
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(Group.objects.get(name=MODERATORS))
    client.force_login(moderator)
    assert client.get(reverse("wagtailsnippets_products_product:list")).status_code == 200
    client.force_login(UserFactory())
    assert client.get(reverse("wagtailsnippets_products_product:list")).status_code == 302


def test_product_orders_list_with_filters(staff_client, product):
    tea = ProductFactory(name="高山云雾茶", category="tea")
    strawberry_order = buy(product, 2)
    tea_order = buy(tea)
    LineFulfilment.objects.create(order_line=tea_order.lines.get(), status=FulfilmentStatus.SHIPPED)
    url = reverse("product_orders:index")
    listing = staff_client.get(url)
    assert listing.status_code == 200
    body = listing.content.decode()
    assert strawberry_order.reference in body and tea_order.reference in body

    def refs(**params):
        response = staff_client.get(url, params)
        assert response.status_code == 200
        html = response.content.decode()
        return {ref for ref in (strawberry_order.reference, tea_order.reference) if ref in html}

    assert refs(category="tea") == {tea_order.reference}
    assert refs(producer=product.producer.pk) == {strawberry_order.reference}
    assert refs(village=tea.producer.village.pk) == {tea_order.reference}
    assert refs(fulfilment="none") == {strawberry_order.reference}
    assert refs(fulfilment="shipped") == {tea_order.reference}
    assert refs(order__status="cancelled") == set()


def test_product_orders_are_read_only(staff_client, product):
    line = buy(product).lines.get()
    assert staff_client.get(reverse("product_orders:edit", args=[line.pk])).status_code in (302, 403)
    assert staff_client.get(reverse("product_orders:inspect", args=[line.pk])).status_code == 200
