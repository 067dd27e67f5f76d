"""Many visitors checking out at the same instant, each in its own thread and database connection:
the harness of the PostgreSQL race tests of every line kind (stays, tours, tickets, produce)."""

import threading
from collections import Counter

from django.db import connection

from orders import basket as basket_service
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


def check_out_at_once(baskets: list[Basket], *, timeout: float = 120) -> Counter:
    """Every basket's owner checks out at the same instant (a barrier releases them together).

    Returns how it went: "ordered", "sold_out", "busy", or the repr of any other exception, so a
    broken thread fails the test visibly instead of passing as a refusal.
    """
    barrier = threading.Barrier(len(baskets))
    outcomes, lock = [], threading.Lock()

    def buy(basket):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            check_out(basket.user, basket)
            outcome = "ordered"
        except SoldOut:
            outcome = "sold_out"
        except InventoryBusy:
            outcome = "busy"
        except Exception as exc:
            outcome = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=buy, args=(basket,)) for basket in baskets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return Counter(outcomes)
