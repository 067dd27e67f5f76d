"""PostgreSQL, real threads: a group accepting its quote while visitors buy the same tour slot's
last seats gets the whole quote or none of it, and the slot is never oversold; staff accepting the
same quote at once make one order."""

import pytest

from groups import services
from groups.models import QuoteStatus
from orders.models import Order, Reservation, ReservationStatus
from tests.concurrency import at_once, baskets_with, without_the_inventory_lock
from tests.orders.checkout_fixtures import check_out

from .test_quotes import build_quote, enquiry, inventory  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.date_sensitive]

VISITORS = 8  # 2 seats each: 16 + the group's 49 > the slot's 60


@pytest.fixture
def quote(enquiry, inventory):  # noqa: F811
    made = build_quote(enquiry, inventory)
    made.status = QuoteStatus.SENT
    made.save(update_fields=["status"])
    return made


def live(**filters):
    return Reservation.objects.filter(
        status__in=(ReservationStatus.HELD, ReservationStatus.CONFIRMED), **filters
    )


def race(quote, slot):
    baskets = baskets_with({"kind": "tour", "slot_id": slot.pk, "adults": 2, "children": 0}, VISITORS)

    def accept():
        result = services.accept_quote(quote)
        return "accepted" if result.accepted else "unavailable"

    def buyer(basket):
        def buy():
            try:
                check_out(basket.user, basket)
            except Exception as exc:  # noqa: BLE001 - a refusal is an outcome
                return getattr(exc, "code", repr(exc))
            return "ordered"

        return buy

    return at_once([accept, *(buyer(basket) for basket in baskets)])


def seats_taken(slot):
    return sum(live(kind="tour", object_id=slot.pk).values_list("quantity", flat=True))


def test_the_quote_is_held_whole_or_not_at_all_and_the_slot_never_oversold(quote, inventory, now):  # noqa: F811
    slot = inventory["slot"]
    counts = race(quote, slot)
    assert counts["accepted"] + counts["unavailable"] == 1, counts
    assert counts["ordered"] + counts.get("sold_out", 0) + counts.get("inventory_busy", 0) == VISITORS, counts
    assert seats_taken(slot) <= 60
    quote.refresh_from_db()
    group_claims = live(order_line__order__group_quotes=quote)
    if counts["accepted"]:
        assert quote.status == QuoteStatus.ACCEPTED
        assert group_claims.count() == 4  # rooms, the slot, the entry window and its day
        assert counts["ordered"] <= 5  # 11 seats were left for them
    else:
        assert quote.status == QuoteStatus.SENT and not group_claims.exists()
        assert not Order.objects.filter(group_quotes=quote).exists()
        # Nothing of the quote is held: the rooms are all free.
        assert not live(kind="stay").exists()


def test_control_without_the_inventory_lock_the_slot_is_oversold(quote, inventory, now, monkeypatch):  # noqa: F811
    """Proves the race above can fail: with the lock off, group and visitors all count free seats."""
    without_the_inventory_lock(monkeypatch)
    slot = inventory["slot"]
    counts = race(quote, slot)
    assert counts["accepted"] == 1, counts
    assert seats_taken(slot) > 60


def test_five_staff_accepting_the_same_quote_at_once_make_one_order(quote, now):
    def accept():
        result = services.accept_quote(quote)
        return ("existing" if result.existing else "new", result.order.reference)

    counts = at_once([accept] * 5)
    assert Order.objects.count() == 1, counts
    ref = Order.objects.get().reference
    assert counts == {("new", ref): 1, ("existing", ref): 4}
    assert live(kind="tour").count() == 1
