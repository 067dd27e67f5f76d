"""Staff hear of problem reports: the one a report is assigned to, by their own channels (e-mail
with the admin link, SMS with a verified number), and the handlers by e-mail when a new one
comes in — always after the commit, so a rolled-back step tells nobody."""

import pytest
from django.core import mail
from django.db import transaction

from accounts.roles import EDITORS
from accounts.services import assign_role
from feedback import notifications, services
from tests.factories.accounts import UserFactory

from .conftest import E164

pytestmark = pytest.mark.django_db


def new_report(spot=None, **kwargs):
    values = {"category": "safety", "text": "木栏杆松动了。", "phone": E164, "attraction": spot}
    values.update(kwargs)
    return services.submit_report(**values)


@pytest.fixture
def colleague(db):
    user = UserFactory(
        email="ranger@example.com",
        is_staff=True,
        phone_number="+8613900000077",
        phone_verified=True,
        language="en",
    )
    assign_role(user, EDITORS)
    return user


def test_the_assignee_gets_an_email_with_the_admin_link_and_an_sms(
    spot, editor, colleague, outbox, django_capture_on_commit_callbacks
):
    report = new_report(spot)
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_report(report, colleague, by=editor)
    [message] = mail.outbox
    assert message.to == ["ranger@example.com"]
    assert "assigned to you" in message.subject and "Safety" in message.subject
    link = f"/admin/problem-reports/edit/{report.pk}/"
    assert link in message.body
    assert "木栏杆松动了。" in message.body and spot.title in message.body
    assert E164 not in message.body  # the visitor's number stays in the admin
    [sms] = outbox
    assert sms.phone == "+8613900000077" and sms.template == "problem_report_assigned"
    assert link in sms.text and sms.params["id"] == str(report.pk)


def test_the_assignee_reads_it_in_their_language(spot, editor, colleague, django_capture_on_commit_callbacks):
    colleague.language = "zh-hans"
    colleague.save()
    report = new_report(spot)
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_report(report, colleague, by=editor)
    [message] = mail.outbox
    assert "分配给您" in message.subject


def test_taking_a_report_oneself_or_a_reply_tells_no_staff(
    spot, editor, outbox, django_capture_on_commit_callbacks
):
    report = new_report(spot)
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_report(report, editor, by=editor)
        services.reply_to_report(report, "已处理。", by=editor)
    assert [m.to for m in mail.outbox] == []
    assert [s.template for s in outbox] == ["problem_report_replied"]  # the visitor only


def test_an_assignment_rolled_back_tells_nobody(
    spot, editor, colleague, outbox, django_capture_on_commit_callbacks
):
    report = new_report(spot)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.assign_report(report, colleague, by=editor)
        raise RuntimeError("boom")
    assert mail.outbox == [] and outbox == []


def test_a_report_given_on_to_someone_else_first_is_not_sent_to_the_first(spot, editor, colleague, outbox):
    report = new_report(spot)
    services.assign_report(report, colleague, by=editor)
    services.assign_report(report, editor, by=colleague)
    assert notifications.send_assigned_notice.call(report.pk, colleague.pk) is False
    assert mail.outbox == [] and outbox == []


def test_assigning_in_the_admin_tells_the_assignee(
    client, spot, editor, colleague, django_capture_on_commit_callbacks
):
    report = new_report(spot)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/problem-reports/edit/{report.pk}/", {"assigned_to": colleague.pk})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["ranger@example.com"]]


def test_a_new_report_is_emailed_to_the_handlers_only(
    spot, editor, colleague, farmer_user, outbox, django_capture_on_commit_callbacks
):
    UserFactory(email="ex-ranger@example.com", is_staff=True, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        report = new_report(spot)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["office@example.com", "ranger@example.com"]
    english = next(m for m in mail.outbox if m.to == ["ranger@example.com"])
    assert "New problem report" in english.subject
    assert f"/admin/problem-reports/edit/{report.pk}/" in english.body
    assert outbox == []  # no SMS for every report


def test_a_new_report_with_nobody_to_handle_it_tells_nobody(spot, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = new_report(spot)
    assert report.pk and mail.outbox == []
