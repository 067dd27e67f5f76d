"""A ticket type that has sold is archived, never deleted: orders keep it, sales stop."""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset

from events import gate as gate_service
from events.models import EventPage, TicketType
from orders import order_state
from orders.exceptions import ReservationError
from orders.models import Basket, OrderStatus
from tests.factories.accounts import UserFactory, VerifiedUserFactory

from .test_admin import event_form
from .ticket_fixtures import buy_tickets, ticket_data

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture
def editor(english_admin_client):
    return english_admin_client


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def ticket_row(ticket_type, **changes):
    row = {
        "id": str(ticket_type.pk),
        "name": ticket_type.name,
        "description": ticket_type.description,
        "price_fen": str(ticket_type.price_fen),
        "capacity": str(ticket_type.capacity),
        "max_per_order": str(ticket_type.max_per_order),
        "cancellation_policy": ticket_type.cancellation_policy,
        "sales_start": "",
        "sales_end": "",
        "archived": "on" if ticket_type.archived else "",
    }
    row.update(changes)
    return {key: value for key, value in row.items() if value is not None}


def publish(client, festival, rows, **overrides):
    """Post the event's edit form with these ticket rows, as "publish"."""
    fields = {
        "title": festival.title,
        "slug": festival.slug,
        "start": local(festival.start),
        "end": local(festival.end),
        "ticket_types": inline_formset(rows, initial=len(rows)),
        "action-publish": "publish",
        **overrides,
    }
    return client.post(reverse("wagtailadmin_pages:edit", args=[festival.pk]), event_form(**fields))


def test_removing_a_sold_ticket_type_is_refused_with_a_message(
    editor, visitor, festival, day_pass, free_pass
):
    buy_tickets(visitor, day_pass)
    rows = [ticket_row(day_pass, DELETE="1"), ticket_row(free_pass)]
    response = publish(editor, festival, rows, title="桃花节（新）")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ticket types that have been sold cannot be removed: 日票." in text
    assert "archived" in text
    assert TicketType.objects.filter(pk=day_pass.pk).exists()
    assert EventPage.objects.get(pk=festival.pk).title == "桃花节"  # nothing of the edit saved


def test_a_ticket_type_of_a_cancelled_order_still_counts_as_sold(editor, visitor, festival, day_pass):
    result = buy_tickets(visitor, day_pass)
    order_state.cancel_order(result.order, by_user=visitor)
    response = publish(editor, festival, [ticket_row(day_pass, DELETE="1")])
    assert response.status_code == 200
    assert TicketType.objects.filter(pk=day_pass.pk).exists()


def test_an_unsold_ticket_type_can_be_removed(editor, visitor, festival, day_pass, free_pass):
    buy_tickets(visitor, day_pass)
    response = publish(editor, festival, [ticket_row(day_pass), ticket_row(free_pass, DELETE="1")])
    assert response.status_code == 302
    assert list(TicketType.objects.filter(page=festival).values_list("name", flat=True)) == ["日票"]


def test_a_sold_ticket_type_is_never_deleted_whatever_the_way(visitor, day_pass):
    buy_tickets(visitor, day_pass)
    with pytest.raises(ProtectedError):
        day_pass.delete()
    assert TicketType.objects.filter(pk=day_pass.pk).exists()


def test_archiving_stops_sales_on_the_page_and_the_api_and_keeps_the_gate(
    editor, client, visitor, festival, day_pass, free_pass
):
    sold = buy_tickets(visitor, day_pass)
    waiting = VerifiedUserFactory()
    basket = Basket.objects.create(user=waiting)  # a visitor who put a ticket aside before
    from orders import basket as basket_service

    basket_service.add_line(basket, ticket_data(day_pass))

    response = publish(editor, festival, [ticket_row(day_pass, archived="on"), ticket_row(free_pass)])
    assert response.status_code == 302
    day_pass.refresh_from_db()
    assert day_pass.archived

    client.logout()
    html = client.get(festival.url).text
    assert "免费登记" in html and "日票" not in html
    listed = client.get(f"/api/v1/events/{festival.pk}/tickets").json()
    assert [row["ticket_type_id"] for row in listed] == [free_pass.pk]
    response = client.post(
        "/api/v1/basket/lines",
        ticket_data(day_pass),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "no longer sold" in response.json()["detail"]
    response = client.post(festival.tickets_url(), {"ticket_type_id": day_pass.pk, "quantity": 1})
    assert response.status_code == 409
    from tests.orders.checkout_fixtures import check_out

    with pytest.raises(ReservationError):
        check_out(waiting, basket)

    # The ticket sold before stays on its order and still admits at the gate.
    assert sold.order.lines.get().item_name == "日票"
    order_state.mark_paid_on_site(sold.order, by_user=UserFactory(is_staff=True))
    gate = gate_service.get_gate(f"event-{festival.pk}")
    code = sold.order.lines.get().voucher.code
    assert gate_service.admit(gate, code, by_user=UserFactory(is_staff=True)).admitted
    sold.order.refresh_from_db()
    assert sold.order.status == OrderStatus.PAID
