"""The event page's tickets: states, the add-to-basket form, free checkout page, query counts."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from orders.models import BasketLine, Order, OrderStatus
from tests.factories.events import TicketTypeFactory
from tests.pages import WARM_BUDGET

from .ticket_fixtures import buy_tickets

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def test_event_page_lists_ticket_types_with_price_remaining_and_state(client, festival, day_pass, free_pass):
    TicketTypeFactory(page=festival, name="早鸟票", sales_start=timezone.now() + datetime.timedelta(days=1))
    TicketTypeFactory(page=festival, name="昨日票", sales_end=timezone.now() - datetime.timedelta(hours=1))
    html = client.get(festival.url).text
    assert "¥80.00" in html
    assert 'data-state="open"' in html
    assert 'data-state="not_yet"' in html
    assert 'data-state="closed"' in html
    assert html.count('class="ticket-card__form"') == 2  # only the two on sale have a form


def test_sold_out_ticket_shows_sold_out_and_no_form(client, visitor, festival, free_pass):
    buy_tickets(visitor, free_pass, 2)
    from tests.factories.accounts import VerifiedUserFactory

    buy_tickets(VerifiedUserFactory(), free_pass, 1)
    html = client.get(festival.url).text
    assert 'data-state="sold_out"' in html
    assert 'class="ticket-card__form"' not in html


def test_form_adds_tickets_to_the_basket(client, festival, day_pass):
    response = client.post(festival.tickets_url(), {"ticket_type_id": day_pass.pk, "quantity": 2})
    assert response.status_code == 302
    assert response["Location"] == reverse("orders_basket")
    line = BasketLine.objects.get()
    assert (line.kind, line.object_id, line.quantity) == ("ticket", day_pass.pk, 2)


def test_form_refuses_too_many_with_422_and_the_message(client, english, festival, day_pass):
    response = client.post(festival.tickets_url(), {"ticket_type_id": day_pass.pk, "quantity": 9})
    assert response.status_code == 422
    # The form's page is the Chinese one (unprefixed URL): its message is in Chinese.
    with translation.override("zh-hans"):
        message = translation.gettext("At most %(n)d tickets of this type per order.") % {"n": 4}
    assert message in response.text
    assert not BasketLine.objects.exists()


def test_form_refuses_a_ticket_of_another_event(client, festival, day_pass):
    other = TicketTypeFactory(
        page=festival.get_parent().add_child(
            instance=type(festival)(title="茶节", slug="tea", start=festival.start, end=festival.end)
        )
    )
    response = client.post(festival.tickets_url(), {"ticket_type_id": other.pk, "quantity": 1})
    assert response.status_code == 422
    assert not BasketLine.objects.exists()


def test_form_refuses_closed_sales_with_409(client, festival):
    closed = TicketTypeFactory(page=festival, sales_end=timezone.now() + datetime.timedelta(seconds=1))
    closed.sales_end = timezone.now() - datetime.timedelta(seconds=1)
    closed.save()
    response = client.post(festival.tickets_url(), {"ticket_type_id": closed.pk, "quantity": 1})
    assert response.status_code == 409
    assert not BasketLine.objects.exists()


def test_get_on_the_form_address_goes_back_to_the_page(client, festival):
    response = client.get(festival.tickets_url())
    assert response.status_code == 302


def test_free_basket_checks_out_without_a_payment_step(client, english, visitor, festival, free_pass):
    client.force_login(visitor)
    client.post(festival.tickets_url(), {"ticket_type_id": free_pass.pk, "quantity": 1})
    page = client.get(reverse("orders_checkout"))
    assert page.status_code == 200
    assert 'name="payment_method"' not in page.text  # no payment method asked for, not even hidden
    token = page.context["form"].initial["token"]
    response = client.post(
        reverse("orders_checkout"),
        {"contact_name": "李华", "contact_phone": "13800000000", "token": token, "shown_total_fen": "0"},
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.status == OrderStatus.CONFIRMED
    assert not order.payments.exists()


def test_paid_basket_still_asks_for_a_payment_method(client, visitor, festival, day_pass):
    client.force_login(visitor)
    client.post(festival.tickets_url(), {"ticket_type_id": day_pass.pk, "quantity": 1})
    page = client.get(reverse("orders_checkout"))
    assert 'type="radio"' in page.text


# Warm queries of an event page with tickets: the event page's (test_pages.py) and nothing more,
# the same for 2 and 50 ticket types. The ticket types and their live claims are remembered with
# the seats they show, the rendered tickets under what each shows (with each visitor's CSRF token
# put in): a sale, a window opening or closing, an edit make them a miss (tests below).
TICKETS_PAGE_WARM = 1
assert TICKETS_PAGE_WARM <= WARM_BUDGET


@pytest.mark.parametrize("count", [2, 50])
def test_event_page_queries_do_not_grow_with_ticket_types(
    client, visitor, festival, count, django_assert_num_queries
):
    types = [TicketTypeFactory(page=festival, capacity=50) for _ in range(count)]
    buy_tickets(visitor, types[0], 1)
    client.get(festival.url)  # makes the footer settings row
    cache.clear()
    client.get(festival.url)  # fills the content cache
    with django_assert_num_queries(TICKETS_PAGE_WARM):
        response = client.get(festival.url)
    assert response.text.count('class="ticket-card ') == count
    assert "49" in response.text


# --- the remembered tickets change on the next request -------------------------------------------


def _tickets_read(client, url):
    """The page, and whether it read the tickets from the database (False: remembered)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).text
    return html, any("events_tickettype" in query["sql"] for query in queries)


def test_a_sale_shows_on_the_next_request(client, visitor, festival, day_pass):
    client.get(festival.url), client.get(festival.url)
    html, read = _tickets_read(client, festival.url)
    assert not read
    [left] = re.findall(r'ticket-card__left">([^<]*)<', html)
    assert "5" in left
    buy_tickets(visitor, day_pass, 2)
    html, read = _tickets_read(client, festival.url)
    assert read
    [left] = re.findall(r'ticket-card__left">([^<]*)<', html)
    assert "3" in left


def test_a_sales_window_opening_shows_on_time(client, festival):
    opens = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=2)
    TicketTypeFactory(page=festival, name="早鸟票", sales_start=opens)
    with time_machine.travel(opens - datetime.timedelta(seconds=10), tick=False):
        client.get(festival.url)
        assert 'data-state="not_yet"' in client.get(festival.url).text
    # Within the remembered copy's life, but the window has opened.
    with time_machine.travel(opens + datetime.timedelta(seconds=1), tick=False):
        html = client.get(festival.url).text
    assert 'data-state="open"' in html and 'class="ticket-card__form"' in html


def test_each_visitor_gets_their_own_token_and_the_form_works(client, festival, day_pass):
    from django.test import Client

    client.get(festival.url)
    tokens = set()
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        html = visitor.get(festival.url).text
        [token] = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert "@@" not in token
        tokens.add(token)
        response = visitor.post(
            festival.tickets_url(),
            {"ticket_type_id": day_pass.pk, "quantity": 1, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302
    assert len(tokens) == 2


def test_an_edit_shows_on_the_next_request(client, festival, day_pass):
    client.get(festival.url), client.get(festival.url)
    day_pass.name = "全天通票"
    day_pass.save()
    assert "全天通票" in client.get(festival.url).text
