"""The visitor's order page and "My trips" show the payment, the refunds made and what is left."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders import order_state, refunds
from tests.factories.accounts import SuperuserFactory

from .checkout_fixtures import basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def paid_order(visitor, room, arrival, staff, capture):
    basket_with_stay(visitor, room, arrival)
    with capture(execute=True):
        order = check_out(visitor).order
        order_state.mark_paid_on_site(order, by_user=staff)
    return order


@pytest.fixture
def refunded_in_part(visitor, stay_room, arrival, django_capture_on_commit_callbacks):
    staff = SuperuserFactory()
    order = paid_order(visitor, stay_room, arrival, staff, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_part(order, 1250, reason="Breakfast was not served", by_user=staff)
    return order


def test_order_page_shows_refunds_and_what_is_left(client, visitor, refunded_in_part):
    client.force_login(visitor)
    page = client.get(refunded_in_part.get_absolute_url()).content.decode()
    assert "Paid, partly refunded" in page
    assert "Refunded ¥12.50 on" in page and "Breakfast was not served" in page
    assert "Paid and not refunded: ¥587.50" in page


def test_unpaid_on_site_order_says_so(client, visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    order = check_out(visitor).order
    client.force_login(visitor)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "To pay on site" in page
    assert "Refunded" not in page


def test_my_trips_shows_refunds_in_a_flat_number_of_queries(
    client, visitor, stay_room, arrival, refunded_in_part, django_capture_on_commit_callbacks
):
    client.force_login(visitor)
    client.get("/en/trips/")  # both counts are of a warm second request (cached footer, site)
    with CaptureQueriesContext(connection) as one:
        page = client.get("/en/trips/").content.decode()
    assert "Refunded ¥12.50 on" in page and "Paid and not refunded: ¥587.50" in page

    stay_room.units = 5
    stay_room.save()
    staff = SuperuserFactory()
    for week in (1, 2):
        order = paid_order(
            visitor, stay_room, arrival + timedelta(days=7 * week), staff, django_capture_on_commit_callbacks
        )
        with django_capture_on_commit_callbacks(execute=True):
            refunds.refund_part(order, 100 * week, reason=f"Goodwill {week}", by_user=staff)
    client.get("/en/trips/")
    with CaptureQueriesContext(connection) as three:
        page = client.get("/en/trips/").content.decode()
    assert "Goodwill 1" in page and "Goodwill 2" in page
    assert len(three) == len(one)
