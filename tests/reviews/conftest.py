import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import EDITORS, HOSTS
from accounts.services import assign_role
from tests.factories.accounts import UserFactory, VerifiedUserFactory
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory, RoomTypeFactory

from .fixtures import stay_line


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
