"""Demo step: a handful of visitors' problem reports in every state, spread over the past weeks,
so the admin list, a status page and the response-time report have something to show."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Locale

from attractions.models import AttractionPage

from .models import ProblemCategory, ProblemReport, ReportEvent, ReportStatus

DEMO_PHONE = "+8613900000000"
# (days ago, category, text, reply after hours or None, closed after hours or None, assigned)
REPORTS = [
    (40, ProblemCategory.CLEANLINESS, "停车场旁边的公共厕所没有纸巾，地面很脏。", 3, 20, True),
    (33, ProblemCategory.PRICE, "桃园门口的小摊草莓标价每斤30元，称重时却按每斤45元收费。", 30, 72, True),
    (21, ProblemCategory.FACILITY, "观景台的木栏杆有一段松动了，小孩靠上去很危险。", 2, 6, True),
    (
        12,
        ProblemCategory.SERVICE,
        "The shuttle bus to the valley did not come at 14:00 as the sign says.",
        5,
        None,
        True,
    ),
    (4, ProblemCategory.SAFETY, "山路拐弯处的护栏缺了一块，晚上没有灯。", None, None, True),
    (1, ProblemCategory.OTHER, "希望游客中心能提供充电宝租借。", None, None, False),
]
REPLIES = {
    ProblemCategory.CLEANLINESS: "感谢反馈！保洁人员已于当天补充纸巾并清扫，我们会增加巡查次数。",
    ProblemCategory.PRICE: "经核实，该摊位多收了费用，已责令退还差价并给予警告。谢谢您的监督！",
    ProblemCategory.FACILITY: "维修人员已到场加固栏杆，感谢您的提醒。",
    ProblemCategory.SERVICE: (
        "Sorry: the 14:00 bus was late because of a flat tyre. "
        "The timetable now has the office's phone number."
    ),
}


def load_reports(ctx):
    if ProblemReport.objects.exists():
        return
    staff = get_user_model().objects.filter(email="editor@tianyuan.example").first()
    visitor = get_user_model().objects.filter(email="visitor@tianyuan.example").first()
    spots = list(
        AttractionPage.objects.live()
        .filter(locale=Locale.get_default())
        .select_related("village")
        .order_by("pk")[: len(REPORTS)]
    )
    now = timezone.now()
    for n, (days, category, text, reply_after, close_after, assigned) in enumerate(REPORTS):
        received = now - datetime.timedelta(days=days, hours=n)
        spot = spots[n % len(spots)] if spots else None
        by_account = n % 3 == 0 and visitor is not None
        report = ProblemReport.objects.create(
            category=category,
            text=text,
            attraction=spot,
            village=spot.village if spot else None,
            latitude=spot.latitude if spot else None,
            longitude=spot.longitude if spot else None,
            user=visitor if by_account else None,
            phone="" if by_account else DEMO_PHONE,
            created_at=received,
        )
        events = [ReportEvent(report=report, status=ReportStatus.RECEIVED, at=received, by=report.user)]
        if assigned and staff:
            report.assigned_to, report.status = staff, ReportStatus.ASSIGNED
            at = received + datetime.timedelta(minutes=30)
            events.append(
                ReportEvent(report=report, status=ReportStatus.ASSIGNED, at=at, by=staff, note=str(staff))
            )
        if reply_after is not None:
            report.reply = REPLIES[category]
            report.status = ReportStatus.REPLIED
            report.first_replied_at = received + datetime.timedelta(hours=reply_after)
            events.append(
                ReportEvent(
                    report=report,
                    status=ReportStatus.REPLIED,
                    at=report.first_replied_at,
                    by=staff,
                    note=report.reply,
                )
            )
        if close_after is not None:
            report.status = ReportStatus.CLOSED
            report.closed_at = received + datetime.timedelta(hours=close_after)
            events.append(
                ReportEvent(report=report, status=ReportStatus.CLOSED, at=report.closed_at, by=staff)
            )
        report.save()
        ReportEvent.objects.bulk_create(events)
    ctx.log(f"Problem reports: {len(REPORTS)}")
