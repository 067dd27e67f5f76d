import datetime

import pytest
import time_machine

from accounts import phone_codes
from groups.models import ProgrammePriceTier, StudyProgrammeIndexPage, StudyProgrammePage
from tests.factories.attractions import PageFactory

# A Tuesday in term time; enquiries are for May 2027.
NOW = datetime.datetime(2027, 3, 9, 10, 0, tzinfo=datetime.UTC)
PHONE = "139 0000 0001"
E164 = "+8613900000001"


class ProgrammeIndexFactory(PageFactory):
    class Meta:
        model = StudyProgrammeIndexPage

    title = "研学课程"
    slug = "study-tours"


class ProgrammeFactory(PageFactory):
    class Meta:
        model = StudyProgrammePage

    title = "茶山研学"
    learning_goals = "<p>认识茶树</p>"
    age_groups = ["upper_primary"]
    duration_days = 2
    price_per_pupil_day_fen = 30000


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def programme_index(home_page):
    return ProgrammeIndexFactory(parent=home_page)


def make_programme(index, slug, tiers=(), **fields):
    page = ProgrammeFactory(parent=index, slug=slug, **fields)
    for n, (min_pupils, price) in enumerate(tiers):
        ProgrammePriceTier.objects.create(
            page=page, min_pupils=min_pupils, price_per_pupil_day_fen=price, sort_order=n
        )
    return page


@pytest.fixture
def code_for(sms_outbox, django_capture_on_commit_callbacks):
    """Issue a real code for a number and read it from the text message, as a visitor would."""

    def issue(e164=E164):
        with django_capture_on_commit_callbacks(execute=True):
            phone_codes.issue_code(e164, "127.0.0.1")
        return sms_outbox[-1].params["code"]

    return issue
