"""PostgreSQL, real threads: one voucher scanned at two gates' phones at once is admitted once."""

import threading
from collections import Counter

import pytest
from django.db import connection

from events import gate as gate_service
from orders.models import Voucher
from orders.vouchers import CheckInResult
from tests.factories.accounts import UserFactory

from .ticket_fixtures import buy_tickets

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SCANS = 12


def test_simultaneous_scans_admit_once(visitor, festival, day_pass):
    staff = UserFactory(is_staff=True)
    code = Voucher.objects.get(order_line__order=buy_tickets(visitor, day_pass, 2).order).code
    gate = gate_service.get_gate(f"event-{festival.pk}")
    barrier = threading.Barrier(SCANS)
    results, lock = [], threading.Lock()

    def scan():
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            outcome = gate_service.admit(gate, code, by_user=staff).result
        except Exception as exc:  # a broken thread fails the test visibly
            outcome = repr(exc)
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=scan) for _ in range(SCANS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    counts = Counter(results)
    assert counts[CheckInResult.ADMITTED] == 1, counts
    assert counts[CheckInResult.ALREADY_USED] == SCANS - 1, counts
    assert gate_service.gate_counts(gate) == (2, 2)
