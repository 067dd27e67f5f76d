"""PostgreSQL, real threads: two phones scan one voucher at once; 20 counters press +1 at once."""

import pytest

from gates import crowding, gate
from gates.models import CrowdCountKey, CrowdSample, SpotCrowd
from orders import basket as basket_service
from orders.models import Basket
from tests.concurrency import at_once
from tests.factories.accounts import UserFactory, VerifiedUserFactory
from tests.orders.checkout_fixtures import check_out

from .conftest import id_number, window_at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.date_sensitive]


def test_two_simultaneous_scans_admit_once(real_name_rule):
    basket = Basket.objects.create(user=VerifiedUserFactory())
    holders = [{"name": "王芳", "id_number": id_number()}]
    basket_service.add_line(
        basket, {"kind": "entry", "window_id": window_at(real_name_rule, 0, 10).pk, "holders": holders}
    )
    line = check_out(basket.user, basket).order.lines.get()
    staff = UserFactory(is_staff=True)
    code = line.voucher.code

    def scan():
        return gate.admit_code(real_name_rule, code, by_user=staff).result

    def scan_by_id():
        return gate.admit_id(real_name_rule, id_number(), by_user=staff).result

    results = at_once([scan, scan_by_id, scan, scan_by_id])
    assert results == {"admitted": 1, "already_used": 3}, results
    assert SpotCrowd.objects.get(spot=real_name_rule.spot).people == 1


def test_twenty_counters_at_once_end_at_the_right_count(paid_rule):
    SpotCrowd.objects.create(spot=paid_rule.spot, people=5)
    results = at_once([lambda: crowding.move(paid_rule.spot_id, 1).people for _ in range(20)])
    assert sorted(results.elements()) == list(range(6, 26)), results
    assert SpotCrowd.objects.get().people == 25
    (sample,) = CrowdSample.objects.all()
    assert (sample.people_max, sample.people_last, sample.entries) == (25, 25, 20)


def test_control_counters_without_the_lock_lose_steps(paid_rule, monkeypatch):
    """Proves the test above can fail: read-then-write without the row lock loses increments."""
    import time

    SpotCrowd.objects.create(spot=paid_rule.spot, people=5)

    def unlocked(spot_id):
        crowd = SpotCrowd.objects.get(spot_id=spot_id)
        time.sleep(0.2)
        return crowd

    monkeypatch.setattr(crowding, "_locked_crowd", unlocked)
    at_once([lambda: crowding.move(paid_rule.spot_id, 1).people for _ in range(20)])
    assert SpotCrowd.objects.get().people < 25


def test_one_press_sent_by_several_threads_at_once_counts_once(paid_rule):
    SpotCrowd.objects.create(spot=paid_rule.spot, people=5)
    key = "0b5f3e0a-5d6c-4a43-9d8e-3f2b8f0c1a11"
    results = at_once([lambda: crowding.move(paid_rule.spot_id, 1, key=key).people for _ in range(10)])
    assert results == {6: 10}, results
    assert SpotCrowd.objects.get().people == 6
    assert CrowdCountKey.objects.get().people == 6


def test_control_without_the_key_the_same_threads_count_ten_times(paid_rule):
    """Proves the test above can fail: the same ten requests without a key count ten."""
    SpotCrowd.objects.create(spot=paid_rule.spot, people=5)
    at_once([lambda: crowding.move(paid_rule.spot_id, 1).people for _ in range(10)])
    assert SpotCrowd.objects.get().people == 15
