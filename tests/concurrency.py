"""Many visitors checking out at the same instant, each in its own thread and database connection:
the harness of the PostgreSQL race tests of every line kind (stays, tours, tickets, produce)."""

import threading
import time
from collections import Counter

from django.db import connection

from orders import basket as basket_service
from orders import reservations
from orders.exceptions import InventoryBusy, SoldOut
from orders.models import Basket
from tests.factories.accounts import VerifiedUserFactory
from tests.orders.checkout_fixtures import check_out


def baskets_with(line_data: dict, count: int) -> list[Basket]:
    """``count`` verified visitors, each with a basket holding one line made from ``line_data``."""
    baskets = []
    for _ in range(count):
        basket = Basket.objects.create(user=VerifiedUserFactory())
        basket_service.add_line(basket, dict(line_data))
        baskets.append(basket)
    return baskets


def at_once(calls, *, timeout: float = 120) -> Counter:
    """Run each of ``calls`` in its own thread and database connection, released together by a
    barrier; a Counter of what they returned, or of the repr of what one raised, so a broken
    thread fails the test visibly instead of passing as a refusal."""
    barrier = threading.Barrier(len(calls))
    results, lock = [], threading.Lock()

    def run(call):
        try:
            connection.ensure_connection()  # connect before the start line, not after it
            barrier.wait(timeout=60)
            outcome = call()
        except Exception as exc:  # noqa: BLE001 - reported in the results
            outcome = repr(exc)
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return Counter(results)


def check_out_at_once(baskets: list[Basket], *, timeout: float = 120) -> Counter:
    """Every basket's owner checks out at the same instant: "ordered", "sold_out", "busy", or
    the repr of any other exception."""

    def buyer(basket):
        def buy():
            try:
                check_out(basket.user, basket)
            except SoldOut:
                return "sold_out"
            except InventoryBusy:
                return "busy"
            return "ordered"

        return buy

    return at_once([buyer(basket) for basket in baskets], timeout=timeout)


def without_the_inventory_lock(monkeypatch, *, pause: float = 0.3):
    """The control of every race: the reservation core takes no row lock and dawdles after
    counting, so concurrent checkouts all count the same free units — the race must then oversell,
    which proves the race test could fail."""
    monkeypatch.setattr(
        reservations, "lock_rows", lambda model, pks: model._default_manager.in_bulk(sorted(pks))
    )
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(pause))
