"""PostgreSQL, real threads: the last places of a window, and one ID booked twice at once."""

import time

import pytest

from gates.inventory import ENTRY, ENTRY_ID
from gates.models import EntryPass
from orders import reservations
from orders.models import Order
from orders.reservations import Claim
from orders.selectors import claimed_units
from tests.concurrency import baskets_with, check_out_at_once, without_the_inventory_lock

from .conftest import id_number, window_at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.date_sensitive]

VISITORS = 40
LEFT = 3
ALICE = id_number("33010619900307123")


@pytest.fixture
def nearly_full(paid_rule):
    """10 places in the window, 7 already taken: 3 left."""
    window = window_at(paid_rule)
    reservations.confirm(
        reservations.reserve(
            [Claim(ENTRY, window.pk, 10 - LEFT), Claim("entry_day", window.day_id, 10 - LEFT)]
        )
    )
    return window


def race(window):
    baskets = baskets_with({"kind": "entry", "window_id": window.pk, "people": 1}, VISITORS)
    return check_out_at_once(baskets, timeout=180), baskets


def test_forty_visitors_three_last_places(nearly_full, monkeypatch):
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.01))
    counts, baskets = race(nearly_full)
    assert counts["ordered"] == LEFT, counts
    assert counts["ordered"] + counts["sold_out"] + counts["busy"] == VISITORS, counts
    assert Order.objects.count() == LEFT
    assert claimed_units(ENTRY, [nearly_full.pk])[nearly_full.pk] == 10
    assert claimed_units("entry_day", [nearly_full.day_id])[nearly_full.day_id] == 10
    assert sum(basket.lines.count() for basket in baskets) == VISITORS - LEFT


def test_control_without_the_lock_oversells(nearly_full, monkeypatch):
    without_the_inventory_lock(monkeypatch)
    counts, _baskets = race(nearly_full)
    assert counts["ordered"] > LEFT, counts


def same_id_race(rule, visitors):
    # Different windows of the same day, so only the ID's pass stands between them.
    baskets = []
    for i in range(visitors):
        baskets += baskets_with(
            {
                "kind": "entry",
                "window_id": window_at(rule, hour=9 + i % 3).pk,
                "holders": [{"name": "王芳", "id_number": ALICE}],
            },
            1,
        )
    return check_out_at_once(baskets, timeout=180)


def an_earlier_pass(rule):
    """The ID's pass row made beforehand (an entry booked and cancelled earlier), so the race is
    decided by the row lock alone, not by the insert of the row (which also serialises them)."""
    from gates import idcards

    day = window_at(rule).day.date
    return EntryPass.objects.create(rule=rule, date=day, id_hash=idcards.fingerprint("id_card", ALICE))


@pytest.mark.parametrize("pass_exists", [False, True])
def test_the_same_id_booked_at_once_gets_one_entry(real_name_rule, monkeypatch, pass_exists):
    if pass_exists:
        an_earlier_pass(real_name_rule)
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.05))
    counts = same_id_race(real_name_rule, 6)
    assert counts["ordered"] == 1, counts
    assert counts["sold_out"] + counts["busy"] == 5, counts
    (entry_pass,) = EntryPass.objects.all()
    assert claimed_units(ENTRY_ID, [entry_pass.pk])[entry_pass.pk] == 1


def test_control_same_id_without_the_lock_books_twice(real_name_rule, monkeypatch):
    an_earlier_pass(real_name_rule)
    without_the_inventory_lock(monkeypatch)
    counts = same_id_race(real_name_rule, 6)
    assert counts["ordered"] > 1, counts
