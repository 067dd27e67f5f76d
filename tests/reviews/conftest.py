import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import EDITORS, HOSTS
from accounts.services import assign_role
from tests.factories.accounts import UserFactory, VerifiedUserFactory
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory, RoomTypeFactory

from .fixtures import stay_line

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _one_day_in_may():
    """Reviews open the day after a stay and close 60 days later, by the town's calendar: the
    tests here build their stays around "today", so today is one fixed day (the clock running)
    whatever day the suite runs, never a midnight between a fixture and its check. A test that
    pins its own moment keeps it."""
    with time_machine.travel(datetime.datetime(2027, 5, 12, 10, tzinfo=SHANGHAI), tick=True):
        yield


@pytest.fixture
def guest(db):
    return VerifiedUserFactory(email="guest@example.com")


@pytest.fixture
def host(db):
    user = VerifiedUserFactory(email="host@example.com")
    user.groups.add(Group.objects.get_or_create(name=HOSTS)[0])
    return user


@pytest.fixture
def homestay(home_page, host):
    index = HomestayIndexPageFactory(parent=home_page, slug="homestays")
    return HomestayPageFactory(parent=index, title="竹林民宿", slug="bamboo", host=host)


@pytest.fixture
def room(homestay):
    return RoomTypeFactory(page=homestay, name="大床房")


@pytest.fixture
def stayed(guest, homestay, room):
    """The guest's stay at the homestay, checked out three days ago."""
    return stay_line(
        guest,
        timezone.localdate() - datetime.timedelta(days=5),
        object_id=room.pk,
        page_id=homestay.pk,
        title=homestay.title,
    )


@pytest.fixture
def editor(db):
    user = UserFactory(email="office@example.com", is_staff=True)
    assign_role(user, EDITORS)
    return user
