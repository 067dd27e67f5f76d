"""feedback's part of a person's data (accounts.personal_data): the problem reports they filed,
signed in or with their verified number. Deleting the account erases what says who they were or
what they wrote (number, text, photos, the point on the map) and keeps the report's kind, place
and times, which the monthly response-time figures count."""

from django.db import transaction
from django.db.models import Count, Q

from accounts.personal_data import Section, register
from products.uploads import delete_image_file

from .models import ProblemReport, ReportPhoto


def _theirs(user):
    mine = Q(user=user)
    if user.phone_number and user.has_verified_phone:
        mine |= Q(phone=user.phone_number)
    return ProblemReport.objects.filter(mine)


def export(user):
    return [
        {
            "ref": report.ref,
            "category": report.category,
            "text": report.text,
            "place": report.place_name,
            "latitude": None if report.latitude is None else str(report.latitude),
            "longitude": None if report.longitude is None else str(report.longitude),
            "phone": report.phone,
            "status": report.status,
            "reply": report.reply,
            "received_at": report.created_at.isoformat(),
            "photos": report.photo_count,
        }
        for report in _theirs(user)
        .select_related("attraction", "village")
        .annotate(photo_count=Count("photos"))
    ]


def erase(user):
    reports = _theirs(user)
    photos = list(ReportPhoto.objects.filter(report__in=reports))
    ReportPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
    reports.update(user=None, phone="", text="", latitude=None, longitude=None)
    # The files go once the deletion has committed: a rollback brings the rows back with them.
    transaction.on_commit(lambda: [delete_image_file(photo) for photo in photos])


def register_section():
    register(Section("problem_reports", export=export, erase=erase))
