"""Who is told what about a problem report, each queued after the step's transaction commits (a
rolled-back step tells nobody):

* the visitor, when the tourism office replied: by SMS to the number they gave (or their
  account's channels, ``accounts.notices``), with the private link to the report's status page;
* the staff member a report is assigned to: by their own channels (e-mail and/or SMS, as hosts
  and farmers are told of their orders), with the link to the report in the admin;
* the people who handle reports (``selectors.handlers``), when a new one arrives: by e-mail, one
  per language, with the same link. No SMS for them: every report would text every handler.
"""

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from accounts.notices import Channels, channels_for, send_notice_sms
from town.sites import email_subject, site_identity

logger = logging.getLogger(__name__)

REPLY_TEMPLATE = "problem_report_replied"
REPLY_SMS = _("The tourism office replied to your problem report. Read it here: %(url)s")
ASSIGNED_TEMPLATE = "problem_report_assigned"
ASSIGNED_SMS = _("Problem report %(ref)s (%(what)s) is assigned to you: %(url)s")
# How much of the visitor's text a staff e-mail quotes (the rest is in the admin).
QUOTE_LENGTH = 500


def reply_sent(report):
    report_id = report.pk
    transaction.on_commit(lambda: send_reply_notice.enqueue(report_id))


def assigned(report, *, by):
    """``report`` was just given to its ``assigned_to`` (inside the step's transaction); someone
    who takes a report themselves needs no notice."""
    if report.assigned_to_id is None or report.assigned_to_id == getattr(by, "pk", None):
        return
    report_id, assignee_id = report.pk, report.assigned_to_id
    transaction.on_commit(lambda: send_assigned_notice.enqueue(report_id, assignee_id))


def received(report):
    report_id = report.pk
    transaction.on_commit(lambda: send_new_report_notice.enqueue(report_id))


def admin_url(report):
    """The report's page in the admin, absolute when the site is known."""
    return site_identity().root_url.rstrip("/") + reverse("feedback_reports:edit", args=[report.pk])


def _staff_email(report, intro):
    """The e-mail body for staff, in the active language: what, where, when, the text, the link."""
    text = report.text if len(report.text) <= QUOTE_LENGTH else report.text[: QUOTE_LENGTH - 1] + "…"
    return gettext(
        "Hello,\n\n%(intro)s\n\nCategory: %(category)s\nWhere: %(place)s\nReceived: %(received)s\n\n"
        "%(text)s\n\nOpen it in the admin: %(url)s\n"
    ) % {
        "intro": intro,
        "category": report.get_category_display(),
        "place": report.place_name or gettext("not given"),
        "received": date_format(timezone.localtime(report.created_at), "DATETIME_FORMAT"),
        "text": text,
        "url": admin_url(report),
    }


@task()
def send_assigned_notice(report_id: int, assignee_id: int) -> bool:
    """Tell the staff member ``assignee_id`` that the report is theirs (unless it went on to
    someone else, or was closed, before this ran)."""
    from .models import ProblemReport, ReportStatus

    report = (
        ProblemReport.objects.select_related("assigned_to", "attraction", "village")
        .filter(pk=report_id, assigned_to_id=assignee_id)
        .exclude(status=ReportStatus.CLOSED)
        .first()
    )
    if report is None or not report.assigned_to.is_active:
        return False
    assignee = report.assigned_to
    channels = channels_for(assignee)
    with translation.override(assignee.notice_language):
        if channels.email:
            body = _staff_email(report, gettext("A problem report has been assigned to you."))
            subject = gettext("Problem report assigned to you: %(what)s") % {"what": str(report)}
            send_mail(email_subject(subject), body, None, [channels.email])
        if channels.sms:
            send_notice_sms(
                channels.sms,
                ASSIGNED_TEMPLATE,
                ASSIGNED_SMS,
                {
                    "ref": report.ref[:6],
                    "what": report.get_category_display(),
                    "id": str(report.pk),
                    "url": admin_url(report),
                },
                language=assignee.notice_language,
            )
    return bool(channels)


@task()
def send_new_report_notice(report_id: int) -> int:
    """E-mail the people who handle reports that a new one came in; returns how many were told."""
    from .models import ProblemReport
    from .selectors import handlers

    report = ProblemReport.objects.select_related("attraction", "village").filter(pk=report_id).first()
    if report is None:
        return 0
    by_language = {}
    for handler in handlers().exclude(email="").exclude(email__isnull=True):
        by_language.setdefault(handler.notice_language, set()).add(handler.email)
    if not by_language:
        logger.info("Problem report %s: nobody handles reports, nobody told", report_id)
        return 0
    for language, recipients in sorted(by_language.items()):
        with translation.override(language):
            body = _staff_email(report, gettext("A visitor has sent a new problem report."))
            subject = gettext("New problem report: %(what)s") % {"what": str(report)}
            send_mail(email_subject(subject), body, None, sorted(recipients))
    return sum(len(r) for r in by_language.values())


def status_url(report):
    """The report's private link, absolute when the site is known, in the active language."""
    return site_identity().root_url.rstrip("/") + reverse("feedback_status", args=[report.ref])


def channels_of(report):
    """The account's chosen ways when the visitor was signed in, else the number they gave."""
    if report.user_id:
        channels = channels_for(report.user)
        if channels:
            return channels
    return Channels(sms=report.phone) if report.phone else Channels()


@task()
def send_reply_notice(report_id: int) -> bool:
    from .models import ProblemReport

    report = ProblemReport.objects.select_related("user").filter(pk=report_id).first()
    if report is None or not report.reply:
        return False
    channels = channels_of(report)
    with translation.override(report.language):
        url = status_url(report)
        if channels.email:
            body = gettext(
                "Hello,\n\nthe tourism office replied to your problem report:\n\n%(reply)s\n\n"
                "The report and its status: %(url)s\n"
            ) % {"reply": report.reply, "url": url}
            send_mail(email_subject(gettext("Reply to your problem report")), body, None, [channels.email])
        if channels.sms:
            # The provider's template carries the link with the reference (links are no parameter).
            send_notice_sms(
                channels.sms,
                REPLY_TEMPLATE,
                REPLY_SMS,
                {"ref": report.ref, "url": url},
                language=report.language,
            )
    return bool(channels)
