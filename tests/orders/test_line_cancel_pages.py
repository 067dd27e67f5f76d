"""My trips: the order page offers to cancel each line; the confirm page shows the refund the
cancellation then makes."""

import pytest
from django.urls import reverse

from orders.models import OrderLine, Refund
from products.dashboard.services import update_fulfilment
from products.models import FulfilmentStatus
from tests.factories.accounts import VerifiedUserFactory

from .line_cancel_fixtures import TICKET_FEN, TOUR_FEN, book

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def browser(client, trip):
    client.force_login(trip.order.user)
    return client


def confirm_url(trip, line):
    return reverse("orders_line_cancel", args=[trip.order.reference, line.pk])


def test_the_order_page_offers_each_line_and_says_why_not(browser, trip):
    produce = trip.line("product")
    update_fulfilment(produce.provider_user.producer, produce.pk, FulfilmentStatus.PACKED)
    page = browser.get(trip.order.get_absolute_url()).text
    for kind in ("stay", "tour"):
        assert f'href="{confirm_url(trip, trip.line(kind))}">Cancel only this<' in page
    assert f'href="{confirm_url(trip, trip.line("ticket"))}">Cancel some or all of these<' in page
    assert confirm_url(trip, produce) not in page
    assert "The farmer has already packed it: it can no longer be cancelled." in page


def test_the_order_page_reads_the_lines_choices_in_a_fixed_number_of_queries(
    browser, trip, visitor, trip_things, django_assert_num_queries
):
    """Session, user, order, lines, vouchers, payments, refunds, packed produce (once, for the whole
    order's and the lines' cancellation) and the user's permissions (2) (the site is remembered,
    the rest of the shell cached), whatever the number of lines."""
    bigger = book(visitor, trip_things, "product", "product", "tour", "tour")
    assert bigger.order.lines.count() == 4
    for order in (trip.order, bigger.order):
        browser.get(order.get_absolute_url())  # the site's shell is read once, then cached
    for order in (trip.order, bigger.order):
        with django_assert_num_queries(10):
            assert browser.get(order.get_absolute_url()).status_code == 200


def test_an_order_of_one_thing_is_cancelled_whole(client, visitor, trip_things, fake_online):
    single = book(visitor, trip_things, "tour")
    client.force_login(visitor)
    page = client.get(single.order.get_absolute_url()).text
    assert (
        "Cancel only this" not in page
        and reverse("orders_order_cancel", args=[single.order.reference]) in page
    )


def test_the_confirm_page_shows_the_refund_and_the_rule(browser, trip):
    response = browser.get(confirm_url(trip, trip.line("tour")))
    assert response.status_code == 200
    assert "Cancelling this refunds ¥160.00." in response.text
    assert "Full refund: at least 24 hours before the start (flexible policy)." in response.text
    assert 'name="shown_refund_fen" value="16000"' in response.text


def test_the_confirm_page_of_an_unpaid_order_promises_no_refund(client, visitor, trip_things):
    unpaid = book(visitor, trip_things, "tour", "ticket", method="on_site", paid=False)
    client.force_login(visitor)
    response = client.get(confirm_url(unpaid, unpaid.line("tour")))
    assert response.status_code == 200
    assert "What changes" in response.text
    assert "refunds ¥" not in response.text and "What you get back" not in response.text


def test_the_ticket_chooser_of_an_unpaid_order_offers_no_refund(client, visitor, trip_things):
    unpaid = book(visitor, trip_things, "tour", "ticket", method="on_site", paid=False)
    client.force_login(visitor)
    response = client.get(confirm_url(unpaid, unpaid.line("ticket")), {"quantity": 2})
    assert response.status_code == 200
    assert "Show what changes" in response.text
    assert "Show the refund" not in response.text


def test_the_confirm_page_of_tickets_asks_how_many(browser, trip):
    tickets = trip.line("ticket")
    response = browser.get(confirm_url(trip, tickets), {"quantity": 3})
    assert response.status_code == 200
    assert "Cancelling 3 of them refunds ¥120.00." in response.text  # strict: half of 3 × ¥80
    assert 'name="quantity" value="3"' in response.text
    assert browser.get(confirm_url(trip, tickets), {"quantity": 9}).status_code == 422


def test_confirming_cancels_the_line_with_the_refund_shown(
    browser, trip, fake_online, django_capture_on_commit_callbacks
):
    tour = trip.line("tour")
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            confirm_url(trip, tour), {"shown_refund_fen": TOUR_FEN, "confirm": "on"}, follow=True
        )
    assert response.redirect_chain[-1][0] == trip.order.get_absolute_url()
    assert "¥160.00 goes back to you" in response.text
    assert "Cancelled by you" in response.text and "¥160.00 refunded" in response.text
    assert fake_online.refunds == [(trip.payment.pk, TOUR_FEN)]
    # The whole order's cancellation now offers what is left: the tour is settled.
    assert OrderLine.objects.get(pk=tour.pk).status == "cancelled"


def test_giving_back_some_tickets(browser, trip, fake_online, django_capture_on_commit_callbacks):
    tickets = trip.line("ticket")
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            confirm_url(trip, tickets),
            {"quantity": 3, "shown_refund_fen": 3 * TICKET_FEN // 2, "confirm": "on"},
            follow=True,
        )
    assert response.status_code == 200
    tickets.refresh_from_db()
    part = tickets.cancelled_parts.get()
    assert tickets.quantity == 2 and part.quantity == 3
    assert fake_online.refunds == [(trip.payment.pk, 3 * TICKET_FEN // 2)]
    # The tickets given back are listed right under the two kept, before the produce.
    page = response.text
    positions = [page.index(f'id="line-{line.pk}"') for line in (tickets, part, trip.line("product"))]
    assert positions == sorted(positions)


def test_without_the_tick_nothing_is_cancelled(browser, trip):
    response = browser.post(confirm_url(trip, trip.line("tour")), {"shown_refund_fen": TOUR_FEN})
    assert response.status_code == 422
    assert trip.line("tour").status == "live" and not Refund.objects.exists()


def test_a_refund_changed_since_shown_shows_the_new_one(browser, trip):
    response = browser.post(
        confirm_url(trip, trip.line("tour")), {"shown_refund_fen": TOUR_FEN + 1, "confirm": "on"}
    )
    assert response.status_code == 409
    assert "The refund is now ¥160.00" in response.text
    assert 'name="shown_refund_fen" value="16000"' in response.text
    assert trip.line("tour").status == "live" and not Refund.objects.exists()


def test_another_users_line_is_404(client, trip):
    client.force_login(VerifiedUserFactory())
    tour = trip.line("tour")
    assert client.get(confirm_url(trip, tour)).status_code == 404
    assert (
        client.post(confirm_url(trip, tour), {"shown_refund_fen": TOUR_FEN, "confirm": "on"}).status_code
        == 404
    )
    assert trip.line("tour").status == "live"


def test_a_cancelled_line_goes_back_to_the_order(browser, trip, django_capture_on_commit_callbacks):
    tour = trip.line("tour")
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(confirm_url(trip, tour), {"shown_refund_fen": TOUR_FEN, "confirm": "on"})
    response = browser.get(confirm_url(trip, tour), follow=True)
    assert response.redirect_chain[-1][0] == trip.order.get_absolute_url()
    assert "This line is already cancelled." in response.text
