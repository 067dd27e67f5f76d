"""The demo town's timed entry: the memorial hall real-name and free, the valley paid in season."""

import pytest
from django.utils import timezone

from gates.models import EntryRule, SpotCrowd
from gates.selectors import now_spots
from orders.models import OrderLine

pytestmark = pytest.mark.django_db


def test_demo_has_timed_entry_and_crowds(demo_town):
    hall = EntryRule.objects.get(spot__slug="hongling-memorial-hall")
    assert hall.real_name and hall.price_fen == 0 and hall.window_minutes == 60
    assert hall.windows.filter(starts_at__gt=timezone.now()).exists()
    valley = EntryRule.objects.get(spot__slug="taohuawu-old-village")
    assert valley.price_fen > 0 and valley.season_from.month == 3
    assert all(w.starts_at.month in (3, 4) for w in valley.windows.all()[:50])
    line = OrderLine.objects.get(kind="entry", order__user__email="visitor@tianyuan.example")
    holder = line.options["holders"][0]
    assert "*" in holder["id_masked"] and "id_sealed" in holder
    assert SpotCrowd.objects.count() == 3
    assert any(spot["next_window"] for spot in now_spots())
