"""The private status link, and the staff's side in the admin: filters, assign, reply (the
visitor told by SMS or e-mail), close, with the history kept; who may do it."""

import pytest
import time_machine
from django.core import mail

from feedback import services
from feedback.models import ProblemReport, ReportStatus
from tests.factories.accounts import UserFactory

from .conftest import E164

pytestmark = pytest.mark.django_db


def new_report(spot=None, **kwargs):
    values = {"category": "cleanliness", "text": "厕所没有纸巾。", "phone": E164, "attraction": spot}
    values.update(kwargs)
    return services.submit_report(**values)


# --- the private status link ------------------------------------------------------------------


def test_the_status_link_shows_the_reply_and_the_history(client, spot, editor, django_assert_num_queries):
    report = new_report(spot)
    services.reply_to_report(report, "保洁已补充纸巾。", by=editor)
    client.get(report.get_absolute_url())  # warm
    # the site, the report with its place and photo count, its steps, the locale, view restrictions
    with django_assert_num_queries(5):
        response = client.get(report.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "保洁已补充纸巾。" in body and "厕所没有纸巾。" in body and spot.title in body
    assert [e.status for e in response.context["report"].events.all()] == ["received", "replied"]
    assert editor.email not in body  # staff stay unnamed to the visitor
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_status_page_is_in_english_too(client, spot):
    report = new_report(spot)
    response = client.get(f"/en/report-a-problem/{report.ref}/")
    assert response.status_code == 200
    assert "Your problem report" in response.content.decode()


def test_an_unknown_ref_is_not_found(client, spot):
    new_report(spot)
    assert client.get("/report-a-problem/abcdefghjkmnpqrs/").status_code == 404


def test_guessing_status_links_is_rate_limited(client, spot):
    report = new_report(spot)
    # Within one minute's window (the count is per clock minute).
    with time_machine.travel("2026-06-01 10:00:05 +0800", tick=False):
        for n in range(30):
            assert client.get(f"/report-a-problem/guess{n:011d}/").status_code == 404
        refused = client.get(report.get_absolute_url())
    assert refused.status_code == 429
    with time_machine.travel("2026-06-01 10:01:05 +0800", tick=False):
        assert client.get(report.get_absolute_url()).status_code == 200


# --- the admin --------------------------------------------------------------------------------


def test_staff_filter_reports_by_village_category_and_status(client, spot, editor, village):
    elsewhere = new_report(None, latitude=None, longitude=None, category="price", text="价格太贵")
    here = new_report(spot)
    client.force_login(editor)
    response = client.get("/admin/problem-reports/", {"village": village.pk})
    listed = list(response.context["object_list"])
    assert response.status_code == 200 and listed == [here]
    assert list(client.get("/admin/problem-reports/", {"category": "price"}).context["object_list"]) == [
        elsewhere
    ]
    assert list(client.get("/admin/problem-reports/", {"status": "closed"}).context["object_list"]) == []
    assert client.get("/admin/problem-reports/new/").status_code in (302, 403, 404)


def test_staff_assign_reply_and_close_with_the_history_kept(
    client, spot, editor, outbox, django_capture_on_commit_callbacks
):
    report = new_report(spot)
    client.force_login(editor)
    url = f"/admin/problem-reports/edit/{report.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "厕所没有纸巾。" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"assigned_to": editor.pk, "reply_text": "已安排保洁。", "close": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.assigned_to, report.reply) == (ReportStatus.REPLIED, editor, "已安排保洁。")
    assert report.first_replied_at is not None and report.closed_at is None
    [sms] = outbox
    assert sms.phone == E164 and sms.template == "problem_report_replied"
    assert f"/report-a-problem/{report.ref}/" in sms.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"assigned_to": editor.pk, "reply_text": "已安排保洁。", "close": "on"})
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.closed_at is not None
    assert len(outbox) == 1  # closing with the same reply texts nobody again
    steps = list(report.events.values_list("status", "by__email"))
    assert steps == [
        ("received", None),
        ("assigned", editor.email),
        ("replied", editor.email),
        ("closed", editor.email),
    ]
    refused = client.post(url, {"reply_text": "再说一句", "close": ""})
    assert refused.status_code == 200  # the form again, with the reason
    assert refused.context["form"].has_error("__all__", "closed")
    assert "此报告已结案" in refused.content.decode()
    report.refresh_from_db()
    assert report.reply == "已安排保洁。"


def test_a_report_cannot_be_closed_without_a_reply(client, spot, editor):
    report = new_report(spot)
    client.force_login(editor)
    response = client.post(f"/admin/problem-reports/edit/{report.pk}/", {"reply_text": "", "close": "on"})
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED and report.events.count() == 1


def test_a_signed_in_visitor_is_told_by_their_account_channels(
    spot, editor, outbox, django_capture_on_commit_callbacks
):
    visitor = UserFactory(email="guest@example.com", notify_by_email=True)
    report = new_report(spot, user=visitor, phone="")
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_to_report(report, "Thanks, fixed.", by=editor)
    [message] = mail.outbox
    assert message.to == ["guest@example.com"]
    assert "Thanks, fixed." in message.body and report.ref in message.body
    assert outbox == []


def test_a_rolled_back_reply_tells_nobody(spot, editor, outbox, django_capture_on_commit_callbacks):
    report = new_report(spot)
    services.close_report(report, by=editor)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.ReportRefused):
        services.reply_to_report(report, "太晚了", by=editor)
    assert outbox == [] and ProblemReport.objects.get().reply == ""


@pytest.mark.parametrize("who", ["farmer_user", "visitor"])
def test_people_who_do_not_handle_reports_cannot_open_them(client, spot, farmer_user, who):
    report = new_report(spot)
    user = farmer_user if who == "farmer_user" else UserFactory(email="v@example.com")
    client.force_login(user)
    for url in ("/admin/problem-reports/", f"/admin/problem-reports/edit/{report.pk}/"):
        response = client.get(url)
        assert response.status_code in (302, 403)
    assert client.post(f"/admin/problem-reports/edit/{report.pk}/", {"reply_text": "x"}).status_code in (
        302,
        403,
    )
    report.refresh_from_db()
    assert report.reply == ""


# --- the visitor's own data (PIPL) ------------------------------------------------------------


def test_a_visitors_reports_are_in_their_download_and_erased_with_their_account(
    spot, settings, django_capture_on_commit_callbacks
):
    from accounts import personal_data
    from products.uploads import check_photo

    from .conftest import photo, stored_files

    visitor = UserFactory(email="own@example.com", phone_number=E164, phone_verified=True)
    by_number = new_report(spot, photos=[check_photo(photo())], latitude="29.6", longitude="118.2")
    signed_in = new_report(spot, user=visitor, phone="", text="我自己的话")
    other = new_report(spot, phone="+8613800000000")
    exported = personal_data.export_for(visitor)["problem_reports"]
    assert {row["ref"] for row in exported} == {by_number.ref, signed_in.ref}
    assert len(stored_files(settings)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        personal_data.delete_account(visitor)
    for report in (by_number, signed_in):
        report.refresh_from_db()
        assert (report.user, report.phone, report.text, report.latitude) == (None, "", "", None)
        assert report.created_at and report.category == "cleanliness"  # still counted in the figures
    assert not by_number.photos.exists() and stored_files(settings) == []
    other.refresh_from_db()
    assert other.phone == "+8613800000000" and other.text
