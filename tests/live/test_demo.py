"""The live step of the demo: one session live now (relative to the load), one replay."""

import pytest

from live.models import LiveSession, Status
from live.selectors import session_index

pytestmark = pytest.mark.django_db


def test_demo_has_a_session_live_now_and_a_replay(client, demo_town):
    groups = session_index()
    [live] = groups["live"]
    assert live.pins.count() == 3 and all(pin.set_aside_id for pin in live.pins.all())
    assert all(pin.units_left == pin.stock for pin in live.pins.all())
    replay = next(s for s in groups["past"] if s.replay_url)
    assert replay.status() == Status.ENDED and replay.replay_embed_url
    assert LiveSession.objects.filter(approved=True).count() == 3
    assert client.get(live.get_absolute_url()).status_code == 200
    assert "bvid=" in client.get(replay.get_absolute_url()).text
