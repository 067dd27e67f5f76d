"""The waiting list: visitors waiting for a sold-out tour slot, ticket type or room type on given
nights, in the order they joined. ``orders.waitlist`` owns every change of state."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..inventory import validate_kind


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered")
    BOOKED = "booked", _("Booked")
    LEFT = "left", _("Left the list")
    REMOVED = "removed", _("Removed by staff")
    LAPSED = "lapsed", _("Offer not taken")


# Entries still in line: waiting, or holding an offer.
ACTIVE_STATUSES = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


class WaitlistEntry(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visitor"),
        on_delete=models.CASCADE,
        related_name="waitlist_entries",
    )
    kind = models.CharField(_("kind"), max_length=16, validators=[validate_kind])
    # The row that carries the inventory (a default-locale original), as Reservation.object_id.
    object_id = models.PositiveBigIntegerField(_("object id"))
    # Stays: the nights [start_date, end_date) wanted. Other kinds leave them empty.
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    guests = models.PositiveSmallIntegerField(_("guests"), default=1)
    options = models.JSONField(_("options"), default=dict, blank=True)
    # What the visitor asked for, as a basket line takes it: the offer puts exactly this in the basket.
    line_data = models.JSONField(_("line"), default=dict)
    language = models.CharField(_("language"), max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    # The offer is a hold in the reservation core: while it runs nobody else can take those units.
    offer = models.OneToOneField(
        "orders.Reservation",
        verbose_name=_("offer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="waitlist_entry",
    )
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting list")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["kind", "object_id", "status"], name="orders_wait_kind_obj_status")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_waitlist_quantity_positive"),
            models.CheckConstraint(
                condition=~Q(status=WaitlistStatus.OFFERED) | Q(offer__isnull=False),
                name="orders_waitlist_offered_has_hold",
            ),
        ]

    def __str__(self):
        return f"{self.kind}:{self.object_id} ×{self.quantity} ({self.status})"

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES

    def as_line(self):
        """The entry as an unsaved basket line, for the line kinds to describe, check and claim."""
        from .orders import BasketLine

        return BasketLine(
            kind=self.kind,
            object_id=self.object_id,
            start_date=self.start_date,
            end_date=self.end_date,
            guests=self.guests,
            quantity=self.quantity,
            options=dict(self.options or {}),
        )
