import datetime

import pytest
from django.utils import timezone, translation

from gates import idcards
from gates.models import EntryRule
from gates.schedules import generate_windows
from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory

# A fixed moment (town time), so windows, "today" and birth dates never depend on the real clock.
NOW = datetime.datetime(2027, 3, 15, 9, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def id_number(first17="33010619900307123"):
    """A valid mainland ID number (its GB 11643 check digit computed)."""
    return first17 + idcards.check_digit(first17)


@pytest.fixture(autouse=True)
def english(client):
    """Messages in English (the tests read them); reverse() then gives the /en/ pages."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def spot(home_page):
    index = AttractionIndexPageFactory(parent=home_page)
    return AttractionPageFactory(parent=index, title="革命纪念馆", slug="memorial-hall")


def make_rule(spot, **fields):
    fields.setdefault("opens_at", datetime.time(9, 0))
    fields.setdefault("closes_at", datetime.time(12, 0))
    fields.setdefault("per_window", 10)
    fields.setdefault("per_day", 25)
    return EntryRule.objects.create(spot=spot, **fields)


@pytest.fixture
def real_name_rule(spot, now):
    rule = make_rule(spot, real_name=True)
    generate_windows(rule, days=3, now=now)
    return rule


@pytest.fixture
def paid_rule(home_page, now):
    index = AttractionIndexPageFactory(parent=home_page, slug="more-spots")
    valley = AttractionPageFactory(parent=index, title="桃花谷", slug="peach-valley")
    rule = make_rule(valley, price_fen=6000)
    generate_windows(rule, days=3, now=now)
    return rule


def window_at(rule, day_offset=1, hour=10):
    start = timezone.make_aware(
        datetime.datetime.combine(NOW.date() + datetime.timedelta(days=day_offset), datetime.time(hour))
    )
    return rule.windows.get(starts_at=start)
