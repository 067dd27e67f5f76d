"""What happens to a problem report: a visitor files it (with photos), staff assign it, reply and
close it. Every step is written to the report's history (``ReportEvent``) in the same
transaction; after the commit the visitor is told of a reply, the staff member of a report
assigned to them, and the handlers of a new report (``notifications``).

Photos come in already checked (``products.uploads``: header, pixels, a full decode) and are
written inside ``stored_photos``, which deletes the files again if the report is not saved, so a
failure leaves neither rows nor orphan files.
"""

import contextlib
import uuid

from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from products.uploads import delete_image_file
from town import geo
from town.models import Village

from . import notifications
from .models import MAX_PHOTOS, ProblemReport, ReportEvent, ReportPhoto, ReportStatus


class ReportRefused(Exception):
    """A step that the report's state does not allow; the message is shown as is."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@contextlib.contextmanager
def stored_photos():
    """Collects the photos written in the block; deletes their files if the block fails."""
    written = []
    try:
        yield written
    except BaseException:
        for photo in written:
            delete_image_file(photo)
        raise


def submit_report(
    *,
    category,
    text,
    photos=(),
    user=None,
    phone="",
    attraction=None,
    village=None,
    latitude=None,
    longitude=None,
    language="zh-hans",
):
    """File a report: the row, its photos (``CheckedPhoto``s) and its first step, all or nothing."""
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS}, code="too_many_photos")
    user = user if getattr(user, "is_authenticated", False) else None
    if village is None and attraction is not None:
        village = attraction.village
    if village is None and latitude is not None and longitude is not None:
        village = nearest_village(latitude, longitude)
    now = timezone.now()
    report = ProblemReport(
        category=category,
        text=text.strip(),
        user=user,
        phone=phone or "",
        attraction=attraction,
        village=village,
        latitude=latitude,
        longitude=longitude,
        language=language,
        created_at=now,
    )
    report.full_clean()
    with stored_photos() as written, transaction.atomic():
        report.save()
        for checked in photos:
            checked.upload.seek(0)
            photo = ReportPhoto(report=report)
            photo.file.save(f"{uuid.uuid4().hex}.{checked.extension}", ImageFile(checked.upload), save=False)
            written.append(photo)
            photo.save()
        ReportEvent.objects.create(report=report, status=ReportStatus.RECEIVED, at=now, by=user)
        notifications.received(report)
    return report


# A point within this distance of a village's centre counts as in that village (staff filter by it).
NEAREST_VILLAGE_KM = 5


def nearest_village(latitude, longitude):
    """The village (default locale) whose centre is nearest the point, if within reach."""
    points = Village.objects.in_locale().filter(latitude__isnull=False, longitude__isnull=False)
    best = min(
        ((geo.haversine_km(latitude, longitude, v.latitude, v.longitude), v.pk, v) for v in points),
        default=None,
        key=lambda item: item[:2],
    )
    return best[2] if best and best[0] <= NEAREST_VILLAGE_KM else None


def _locked(report):
    return ProblemReport.objects.select_for_update(of=("self",)).get(pk=report.pk)


def assign_report(report, assignee, *, by):
    """Give the report to ``assignee`` (staff). A received report becomes "being looked at"."""
    with transaction.atomic():
        report = _locked(report)
        if report.status == ReportStatus.CLOSED:
            raise ReportRefused(_("This report is closed."))
        if report.assigned_to_id == getattr(assignee, "pk", None):
            return report
        report.assigned_to = assignee
        if report.status == ReportStatus.RECEIVED:
            report.status = ReportStatus.ASSIGNED
        report.save(update_fields=["assigned_to", "status"])
        note = str(assignee) if assignee else _("no one")
        ReportEvent.objects.create(
            report=report, status=ReportStatus.ASSIGNED, at=timezone.now(), by=by, note=note
        )
        notifications.assigned(report, by=by)
    return report


def reply_to_report(report, text, *, by):
    """Answer the visitor (the text they see on the status page) and tell them."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the reply to the visitor."), code="reply_required")
    with transaction.atomic():
        report = _locked(report)
        if report.status == ReportStatus.CLOSED:
            raise ReportRefused(_("This report is closed."))
        now = timezone.now()
        report.reply = text
        report.status = ReportStatus.REPLIED
        report.first_replied_at = report.first_replied_at or now
        if report.assigned_to_id is None:
            report.assigned_to = by
        report.save(update_fields=["reply", "status", "first_replied_at", "assigned_to"])
        ReportEvent.objects.create(report=report, status=ReportStatus.REPLIED, at=now, by=by, note=text)
        notifications.reply_sent(report)
    return report


def close_report(report, *, by, note=""):
    with transaction.atomic():
        report = _locked(report)
        if report.status == ReportStatus.CLOSED:
            return report
        now = timezone.now()
        report.status = ReportStatus.CLOSED
        report.closed_at = now
        report.save(update_fields=["status", "closed_at"])
        ReportEvent.objects.create(report=report, status=ReportStatus.CLOSED, at=now, by=by, note=note)
    return report
