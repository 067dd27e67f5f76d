"""The monthly response times (time to first reply and to closing: median, share within 24 h),
counted in town time, and their report in the admin next to the other town reports."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from feedback import services
from feedback.selectors import response_time_rows
from tests.factories.town import VillageFactory

from .conftest import E164

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]
TOWN = ZoneInfo("Asia/Shanghai")


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TOWN)


def report_at(received, village, *, reply=None, close=None, by=None):
    with time_machine.travel(at(received), tick=False):
        report = services.submit_report(category="service", text="…", phone=E164, village=village)
    if reply:
        with time_machine.travel(at(reply), tick=False):
            report = services.reply_to_report(report, "已处理", by=by)
    if close:
        with time_machine.travel(at(close), tick=False):
            report = services.close_report(report, by=by)
    return report


@pytest.fixture
def spring(village, editor):
    other = VillageFactory(name="青溪", slug="qingxi")
    report_at("2027-03-10 10:00", village, reply="2027-03-10 12:00", close="2027-03-11 08:00", by=editor)
    report_at("2027-03-20 09:00", village, reply="2027-03-22 09:00", by=editor)
    # 23:30 on 31 March in town is 15:30 UTC: a March report, whatever the server's clock says.
    report_at("2027-03-31 23:30", village, reply="2027-04-01 05:30", close="2027-04-03 23:30", by=editor)
    report_at("2027-04-02 08:00", other)  # never answered, long overdue
    report_at("2027-04-28 10:00", village)  # not answered yet, still within its 24 hours
    return other


def test_each_month_shows_medians_and_the_share_within_24_hours(spring):
    with time_machine.travel(at("2027-04-28 20:00"), tick=False):
        march, april, total = response_time_rows(datetime.date(2027, 3, 1), datetime.date(2027, 5, 1))
    assert (march.month, march.received, march.replied, march.closed, march.open) == (
        datetime.date(2027, 3, 1),
        3,
        3,
        2,
        1,
    )
    assert march.median_reply_hours == 6  # 2, 6 and 48 hours
    assert march.replied_within_24h == pytest.approx(2 / 3)
    assert march.median_close_hours == 47  # 22 and 72 hours
    assert march.closed_within_24h == pytest.approx(1 / 3)
    assert (april.received, april.replied, april.median_reply_hours, april.open) == (2, 0, None, 2)
    # Only the overdue report counts; the one received this morning may still be answered in time.
    assert april.replied_within_24h == 0 and april.closed_within_24h == 0
    assert total.is_total and (total.received, total.replied) == (5, 3)
    assert total.replied_within_24h == pytest.approx(2 / 4)


def test_a_village_filter_keeps_its_own_reports(spring):
    with time_machine.travel(at("2027-04-28 20:00"), tick=False):
        rows = response_time_rows(datetime.date(2027, 4, 1), datetime.date(2027, 5, 1), village_id=spring.pk)
    april, total = rows
    assert (april.received, april.replied_within_24h) == (1, 0)


def test_a_month_without_reports_shows_no_share(db):
    [may, total] = response_time_rows(datetime.date(2027, 5, 1), datetime.date(2027, 6, 1))
    assert (may.received, may.replied_within_24h, may.median_reply_hours) == (0, None, None)


def test_the_office_reads_the_report_and_exports_it(client, spring, editor):
    params = {"period_from": "2027-03-01", "period_to": "2027-04-30"}
    with time_machine.travel(at("2027-04-28 20:00"), tick=False):
        client.force_login(editor)
        page = client.get("/admin/town-reports/problem-reports/", params)
        export = client.get("/admin/town-reports/problem-reports/", {**params, "export": "csv"})
    assert page.status_code == 200
    rows = page.context["object_list"]
    assert [row.received for row in rows] == [3, 2, 5]
    assert export.status_code == 200
    lines = export.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 4 and lines[1].split(",")[1:5] == ["3", "3", "6.0", "66.7"]


def test_people_without_the_reports_permission_cannot_read_it(client, farmer_user):
    client.force_login(farmer_user)
    assert client.get("/admin/town-reports/problem-reports/").status_code in (302, 403)
