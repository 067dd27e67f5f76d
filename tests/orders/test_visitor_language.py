"""Names in the visitor's language through the booking path, on the demo town: an English
visitor reads English names in the basket, on the order page, in the e-mail and from the API,
while the order line also keeps the Chinese (canonical) names hosts and farmers read; a Chinese
visitor meets none of the demo's English ticket, room or product names."""

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import translation

from events.models import TicketType
from events.selectors import ticket_offers
from homestays.models import RoomType
from orders import basket as basket_service
from orders.exceptions import ReservationError
from orders.lines import LineInvalid
from orders.models import Basket
from orders.reservations import local_today
from products.models import Product
from tests.factories.accounts import VerifiedUserFactory

from .checkout_fixtures import check_out

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def english_of(obj):
    return type(obj).objects.get(translation_key=obj.translation_key, locale__language_code="en")


def on_sale_ticket():
    for ticket in TicketType.objects.canonical().filter(archived=False).select_related("page"):
        if any(
            offer.on_sale and offer.remaining > 2
            for offer in ticket_offers(ticket.page)
            if offer.pk == ticket.pk
        ):
            return ticket
    raise AssertionError("the demo has a ticket on sale")


def fill_basket(user, *, english):
    """A stay, a ticket and produce (picked up) in ``user``'s basket, posted with the English
    rows' ids when ``english`` (they stand for the Chinese rows that carry the inventory)."""
    basket, _created = Basket.objects.get_or_create(user=user)
    ticket = on_sale_ticket()
    added = {"ticket": ticket}
    basket_service.add_line(
        basket,
        {"kind": "ticket", "ticket_type_id": (english_of(ticket) if english else ticket).pk, "quantity": 1},
    )
    # Two nights on one of several arrivals: the demo asks for two-night stays over Spring
    # Festival, Labour Day and National Day, which a single arrival 45 days ahead can fall in.
    stays = [
        (room, local_today() + timedelta(days=days))
        for days in (45, 52, 59, 66)
        for room in RoomType.objects.filter(locale__language_code="zh-hans").order_by("pk")
    ]
    for room, arrival in stays:
        data = {
            "kind": "stay",
            "room_type_id": (english_of(room) if english else room).pk,
            "check_in": arrival.isoformat(),
            "check_out": (arrival + timedelta(days=2)).isoformat(),
            "guests": 1,
        }
        try:
            basket_service.add_line(basket, data)
        except (LineInvalid, ReservationError):
            continue
        added["room"] = room
        break
    for product in Product.objects.live().filter(locale__language_code="zh-hans", offers_pickup=True):
        data = {"kind": "product", "product_id": (english_of(product) if english else product).pk}
        try:
            basket_service.add_line(basket, {**data, "quantity": 1, "delivery": "pickup"})
        except (LineInvalid, ReservationError):
            continue
        added["product"] = product
        break
    assert set(added) == {"ticket", "room", "product"}
    return basket, added


def visible_text(html):
    return re.sub(r"<[^>]+>", " ", html)


def names(added, language):
    """The demo's names of what was added, in ``language``."""
    ticket, room, product = added["ticket"], added["room"], added["product"]
    if language == "en":
        ticket, room, product = english_of(ticket), english_of(room), english_of(product)
    return {ticket.name, room.name, product.name}


def test_an_english_visitor_reads_english_names_on_the_order_page_e_mail_and_api(
    client, demo_town, django_capture_on_commit_callbacks
):
    user = VerifiedUserFactory()
    client.force_login(user)
    basket, added = fill_basket(user, english=True)
    english, chinese = names(added, "en"), names(added, "zh")

    # What the visitor reads: links into the shop keep the product's Chinese slug in their address.
    basket_page = visible_text(client.get("/en/basket/").content.decode())
    assert all(name in basket_page for name in english)
    assert not any(name in basket_page for name in chinese)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        order = check_out(user, basket, language="en").order
    lines = {line.kind: line for line in order.lines.all()}
    # Both names kept at the sale: the visitor's and the canonical (Chinese) one.
    assert lines["ticket"].translated_item_name == english_of(added["ticket"]).name
    assert lines["ticket"].item_name == added["ticket"].name
    assert lines["stay"].translated_item_name == english_of(added["room"]).name
    assert lines["stay"].item_name == added["room"].name
    assert lines["product"].translated_title == english_of(added["product"]).name
    assert lines["product"].title == added["product"].name

    page = client.get(f"/en/trips/{order.reference}/").content.decode()
    trips = client.get("/en/trips/").content.decode()
    (confirmation,) = [m for m in mail.outbox if order.reference in m.subject and m.to == [user.email]]
    html = confirmation.alternatives[0][0]
    for text in (page, trips, confirmation.body, html):
        assert all(name in text for name in english), text
        assert not any(name in text for name in chinese)

    api = client.get(f"/api/v1/orders/{order.reference}", HTTP_ACCEPT_LANGUAGE="en").json()
    by_kind = {line["kind"]: line for line in api["lines"]}
    assert by_kind["ticket"]["item_name"] == english_of(added["ticket"]).name
    assert by_kind["ticket"]["canonical_item_name"] == added["ticket"].name
    assert by_kind["product"]["title"] == english_of(added["product"]).name
    assert by_kind["stay"]["note_label"] == "Note for the host"
    assert by_kind["product"]["note_label"] == "Note for the farmer"
    assert "1 ticket" in by_kind["ticket"]["summary"]

    # The host, the farmer and staff read the canonical names, whatever the visitor's language.
    assert client.get(f"/trips/{order.reference}/").content.decode().count(added["room"].name) >= 1


def test_a_chinese_visitor_meets_no_english_names_in_the_booking_path(
    client, demo_town, django_capture_on_commit_callbacks
):
    user = VerifiedUserFactory()
    client.force_login(user)
    basket, added = fill_basket(user, english=False)
    english = names(added, "en")
    ticket = added["ticket"]
    english_tickets = set(
        TicketType.objects.filter(locale__language_code="en").values_list("name", flat=True)
    ) | set(TicketType.objects.filter(locale__language_code="en").values_list("description", flat=True))

    event_page = client.get(ticket.page.url).content.decode()
    assert ticket.name in event_page
    assert not any(text in event_page for text in english_tickets if text)

    mail.outbox.clear()
    pages = [client.get("/basket/").content.decode(), client.get("/checkout/").content.decode()]
    with django_capture_on_commit_callbacks(execute=True), translation.override("zh-hans"):
        order = check_out(user, basket, language="zh-hans").order
    pages += [
        client.get(f"/trips/{order.reference}/").content.decode(),
        client.get("/trips/").content.decode(),
    ]
    (confirmation,) = [m for m in mail.outbox if order.reference in m.subject and m.to == [user.email]]
    pages += [confirmation.body, confirmation.alternatives[0][0]]
    for text in pages:
        assert not any(name in text for name in english), text
        assert "Note for" not in text
    assert "给民宿主人的留言" in pages[1] and "给主办方的留言" in pages[1] and "给农户的留言" in pages[1]


def test_the_english_event_page_shows_the_english_ticket_cards(client, demo_town):
    ticket = on_sale_ticket()
    translated = english_of(ticket)
    page = client.get(translated.page.url).content.decode()
    assert translated.name in page and translated.description in page
    assert ticket.name not in page
    api = client.get(f"/api/v1/events/{translated.page.pk}/tickets").json()
    assert translated.name in {row["name"] for row in api}
    assert json.dumps(api, ensure_ascii=False).count(ticket.name) == 0
