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


def checkouts_racing_staff(baskets, staff_action, *, desk, refusals: dict, stagger: float, timeout=180):
    """Visitors check out ``baskets`` ``stagger`` apart (each then pays at the desk) while staff
    run ``staff_action`` between the second and the third, so it lands mid-queue for the lock.

    Returns (a Counter of the visitors' outcomes, the list of what ``staff_action`` returned or
    raised). An outcome is "ordered_and_paid", "ordered_then_called_off" (the order was placed but
    staff cancelled it before the desk could mark it paid), ``refusals[type(exc)]`` for an expected
    refusal, "busy", or the repr of anything else, so a broken thread fails the test visibly.
    """
    from orders import order_state

    barrier = threading.Barrier(len(baskets) + 1)
    outcomes, results, lock = Counter(), [], threading.Lock()

    def visit(number, basket):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            time.sleep(number * stagger)
            order = check_out(basket.user, basket).order
            try:
                order_state.mark_paid_on_site(order, by_user=desk)
                outcome = "ordered_and_paid"
            except order_state.OrderStateError:
                outcome = "ordered_then_called_off"
        except tuple(refusals) as exc:
            outcome = next(name for kind, name in refusals.items() if isinstance(exc, kind))
        except InventoryBusy:
            outcome = "busy"
        except Exception as exc:  # noqa: BLE001 - reported in the outcomes
            outcome = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    def staff():
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            time.sleep(1.5 * stagger)
            results.append(staff_action())
        except Exception as exc:  # noqa: BLE001 - reported in the results
            results.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=visit, args=pair) for pair in enumerate(baskets)]
    threads.append(threading.Thread(target=staff))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes, results
