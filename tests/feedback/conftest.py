import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.roles import EDITORS, FARMERS
from accounts.services import assign_role
from tests.factories.accounts import UserFactory
from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory
from tests.factories.town import VillageFactory
from town import sms

PHONE = "139 0000 0000"
E164 = "+8613900000000"


def photo(name="broken-rail.jpg", fmt="JPEG", size=(800, 600), content_type="image/jpeg"):
    """A real photo made by Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 160, 90)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def village(db):
    return VillageFactory(name="桃花坞", slug="taohuawu", latitude="29.620000", longitude="118.250000")


@pytest.fixture
def spot(home_page, village):
    index = AttractionIndexPageFactory(parent=home_page)
    return AttractionPageFactory(parent=index, title="观景台", slug="lookout", village=village)


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def editor(db):
    user = UserFactory(email="office@example.com", is_staff=True)
    assign_role(user, EDITORS)
    return user


@pytest.fixture
def farmer_user(db):
    user = UserFactory(email="farmer@example.com")
    assign_role(user, FARMERS)
    return user


def form_data(spot=None, **extra):
    data = {"category": "facility", "text": "观景台的木栏杆松动了，小孩靠上去很危险。", "phone": PHONE}
    if spot is not None:
        data["attraction"] = str(spot.pk)
    data.update(extra)
    return {key: value for key, value in data.items() if value is not None}
