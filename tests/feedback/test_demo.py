"""The demo step: reports in every state, once."""

import pytest

from feedback.demo import REPORTS, load_reports
from feedback.models import ProblemReport
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


class Context:
    def log(self, message):
        self.logged = message


def test_the_demo_has_reports_in_every_state_once(spot):
    UserFactory(email="editor@tianyuan.example")
    load_reports(Context())
    load_reports(Context())
    assert ProblemReport.objects.count() == len(REPORTS)
    assert set(ProblemReport.objects.values_list("status", flat=True)) == {
        "received",
        "assigned",
        "replied",
        "closed",
    }
    for report in ProblemReport.objects.all():
        steps = list(report.events.values_list("status", flat=True))
        assert steps[0] == "received" and steps[-1] == (
            report.status if report.status != "assigned" else "assigned"
        )
