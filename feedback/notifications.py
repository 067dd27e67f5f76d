"""Telling the visitor that the tourism office replied: by SMS to the number they gave (or their
account's channels, ``accounts.notices``), with the private link to the report's status page.
Queued after the reply's transaction commits, so a rolled-back reply tells nobody."""

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from accounts.notices import Channels, channels_for, send_notice_sms
from town.sites import email_subject, site_identity

REPLY_TEMPLATE = "problem_report_replied"
REPLY_SMS = _("The tourism office replied to your problem report. Read it here: %(url)s")


def reply_sent(report):
    report_id = report.pk
    transaction.on_commit(lambda: send_reply_notice.enqueue(report_id))


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
