"""Staff call off an event (one date per event, so the event itself): its tickets stop selling, and
every ticket sold on any of its ticket types is cancelled and refunded, through the same core
service as tour slots (``orders.organiser_cancel``)."""

import pytest
from django.core import mail

from events.models import EventCancellation, is_called_off
from events.selectors import ticket_offers
from orders import order_state, organiser_cancel, reservations
from orders.exceptions import CalledOff, ReservationError
from orders.models import OrderStatus, Refund, ReservationKind
from tests.factories.accounts import SuperuserFactory, VerifiedUserFactory

from .ticket_fixtures import buy_tickets, ticket_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]

TICKET = ReservationKind.TICKET


def test_calling_off_an_event_cancels_and_refunds_its_tickets_of_every_type(
    festival, day_pass, free_pass, django_capture_on_commit_callbacks
):
    staff = SuperuserFactory()
    paid = buy_tickets(VerifiedUserFactory(), day_pass, 2).order
    with django_capture_on_commit_callbacks(execute=True):
        order_state.mark_paid_on_site(paid, by_user=staff)
    free = buy_tickets(VerifiedUserFactory(), free_pass, 1).order
    paid.refresh_from_db()
    assert {paid.status, free.status} == {OrderStatus.PAID, OrderStatus.CONFIRMED}
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = organiser_cancel.call_off(
            TICKET, [day_pass.pk, free_pass.pk], reason="台风过境，活动取消", by_user=staff
        )

    paid.refresh_from_db()
    free.refresh_from_db()
    assert (paid.status, free.status) == (OrderStatus.REFUNDED, OrderStatus.CANCELLED)
    assert Refund.objects.get().amount_fen == 16000
    assert result.summary.orders == 2 and result.summary.places == 3
    cancellation = EventCancellation.objects.get()
    assert (cancellation.event_id, cancellation.reason, cancellation.cancelled_by) == (
        festival.pk,
        "台风过境，活动取消",
        staff,
    )
    assert {m.to[0] for m in mail.outbox if "Cancelled by the organiser" in m.subject} == {
        paid.user.email,
        free.user.email,
    }


def test_a_called_off_event_sells_no_more_and_says_so(client, visitor, festival, day_pass):
    organiser_cancel.call_off(TICKET, [day_pass.pk], reason="台风", by_user=SuperuserFactory())

    assert is_called_off(festival)
    with pytest.raises(CalledOff):
        reservations.reserve([reservations.Claim(TICKET, day_pass.pk, 1)])
    from orders import basket as basket_service
    from orders.models import Basket

    with pytest.raises(ReservationError) as refused:
        basket_service.add_line(Basket.objects.create(user=visitor), ticket_data(day_pass))
    assert str(refused.value.message) == "This event has been cancelled by the organiser."
    (offer,) = ticket_offers(festival)
    assert (offer.state, offer.on_sale) == ("cancelled", False)
    html = client.get(festival.url).text
    assert 'data-state="cancelled"' in html and "主办方已取消" in html
    assert 'class="ticket-card__form"' not in html


def test_the_translation_of_a_called_off_event_is_called_off_too(festival, day_pass, en_locale):
    translated = festival.copy_for_translation(en_locale, copy_parents=True)
    translated.save_revision().publish()
    organiser_cancel.call_off(TICKET, [day_pass.pk], reason="台风", by_user=SuperuserFactory())
    assert is_called_off(translated)
