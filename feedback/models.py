"""Visitors' problem reports (投诉建议): what they saw and where, with photos, and what the
tourism office did about it, step by step (``ReportEvent``), so the time to a first reply and to
closing can be reported month by month (``feedback.selectors``)."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from town.models import Village, coordinate_fields

# Photos a visitor may send with one report (each checked as the shop checks farmers' photos).
MAX_PHOTOS = 4
MAX_TEXT = 2000
# The private link's reference: 16 characters of 32 (80 bits), no 0/o, 1/l/i to misread.
REF_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
REF_LENGTH = 16


def new_ref():
    return "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))


class ProblemCategory(models.TextChoices):
    CLEANLINESS = "cleanliness", _("Cleanliness")
    SAFETY = "safety", _("Safety")
    PRICE = "price", _("Prices and charges")
    SERVICE = "service", _("Service")
    FACILITY = "facility", _("Something broken")
    OTHER = "other", _("Something else")


class ReportStatus(models.TextChoices):
    # In context: "Closed" is a closed room elsewhere in the catalogue.
    RECEIVED = "received", pgettext_lazy("problem report", "Received")
    ASSIGNED = "assigned", pgettext_lazy("problem report", "Being looked at")
    REPLIED = "replied", pgettext_lazy("problem report", "Replied")
    CLOSED = "closed", pgettext_lazy("problem report", "Closed")


class ProblemReport(models.Model):
    ref = models.CharField(
        pgettext_lazy("problem report", "reference"),
        max_length=REF_LENGTH,
        unique=True,
        default=new_ref,
        editable=False,
    )
    category = models.CharField(_("category"), max_length=20, choices=ProblemCategory.choices)
    text = models.TextField(_("what happened"), max_length=MAX_TEXT)
    attraction = models.ForeignKey(
        "attractions.AttractionPage",
        verbose_name=_("attraction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The area staff filter by: the chosen village, or the attraction's.
    village = models.ForeignKey(
        Village, verbose_name=_("village"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    latitude, longitude = coordinate_fields()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visitor's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problem_reports",
    )
    phone = models.CharField(_("mobile number"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_problem_reports",
    )
    reply = models.TextField(_("reply to the visitor"), blank=True, max_length=MAX_TEXT)
    created_at = models.DateTimeField(_("received"), db_index=True)
    # Kept on the row for the monthly figures; the history says who and when for each step.
    first_replied_at = models.DateTimeField(_("first reply"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")
        indexes = [models.Index(fields=["status", "created_at"], name="feedback_status_created")]

    def __str__(self):
        # The reference's start tells reports apart in the list; the date has its own column.
        return f"{self.get_category_display()} · {self.ref[:6]}"

    def get_absolute_url(self):
        return reverse("feedback_status", args=[self.ref])

    @property
    def place_name(self):
        if self.attraction_id:
            return self.attraction.title
        if self.village_id:
            return self.village.name
        return ""

    @property
    def has_coordinates(self):
        return self.latitude is not None and self.longitude is not None


class ReportPhoto(models.Model):
    report = models.ForeignKey(ProblemReport, on_delete=models.CASCADE, related_name="photos")
    # Outside Wagtail's image library: visitors' photos of a complaint are not material for pages.
    file = models.ImageField(
        _("photo"), upload_to="problem-reports/%Y/%m/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.file.name


class ReportEvent(models.Model):
    """One step of a report's life: received, assigned, replied, closed — who and when."""

    report = models.ForeignKey(ProblemReport, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices)
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("report step")
        verbose_name_plural = _("report steps")

    def __str__(self):
        return f"{self.get_status_display()} {self.at:%Y-%m-%d %H:%M}"
