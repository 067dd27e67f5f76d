"""Reservations: the claims on capacity that every sellable line (stay, tour, ticket, product) makes.

A reservation is held while the visitor pays and confirmed by the payment. Whether it counts
against capacity is decided by ``Reservation.objects.live(now)`` only: confirmed, or held and not
yet expired. Expired holds therefore stop counting on their own; no worker has to run first.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..inventory import validate_kind


class ReservationKind(models.TextChoices):
    """The kinds sold today, for the apps and admin filters that name them. The kinds themselves
    declare these names (``LineKind.kind``, ``Inventory.kind``) and the ``kind`` fields take any
    registered one (``orders.inventory.validate_kind``), so a new kind needs no migration."""

    STAY = "stay", _("Stay")
    TOUR = "tour", _("Tour")
    TICKET = "ticket", _("Ticket")
    PRODUCT = "product", _("Product")


class ReservationStatus(models.TextChoices):
    HELD = "held", _("Held")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class ReservationQuerySet(models.QuerySet):
    def live(self, now=None):
        """Claims that take capacity: confirmed, or held with the hold still running."""
        now = now or timezone.now()
        return self.filter(
            Q(status=ReservationStatus.CONFIRMED) | Q(status=ReservationStatus.HELD, hold_expires_at__gt=now)
        )

    def for_nights(self, start, end):
        """Claims covering at least one night in [start, end)."""
        return self.filter(start_date__lt=end, end_date__gt=start)


class Reservation(models.Model):
    kind = models.CharField(_("kind"), max_length=16, validators=[validate_kind])
    # "<kind>:<pk>", so one index answers "what is claimed on this thing" across kinds.
    inventory_key = models.CharField(_("inventory key"), max_length=64, db_index=True)
    # Not a FK: the row lives in another app's table, chosen by kind.
    object_id = models.PositiveBigIntegerField(_("object id"))
    quantity = models.PositiveIntegerField(_("quantity"))
    # Stays: the nights [start_date, end_date). Other kinds may leave them empty.
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReservationStatus.choices, default=ReservationStatus.HELD
    )
    hold_expires_at = models.DateTimeField(_("hold expires at"), null=True, blank=True)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reservations",
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        verbose_name=_("order line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reservations",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ReservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "object_id", "status"], name="orders_res_kind_obj_status"),
            models.Index(fields=["inventory_key", "status"], name="orders_res_key_status"),
            # "The most claimed of this one thing on one of these nights" (the homestay search walking
            # its candidates, orders.selectors.most_claimed_on_a_night): the thing's claims by a
            # range of first nights, answered from the index alone.
            models.Index(
                fields=[
                    "kind",
                    "object_id",
                    "start_date",
                    "end_date",
                    "status",
                    "hold_expires_at",
                    "quantity",
                ],
                name="orders_res_obj_start_cover",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_reservation_quantity_positive"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gt=models.F("start_date")),
                name="orders_reservation_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReservationStatus.HELD) | Q(hold_expires_at__isnull=False),
                name="orders_reservation_held_has_expiry",
            ),
        ]

    def __str__(self):
        if self.start_date and self.end_date:
            return f"{self.inventory_key} ×{self.quantity} {self.start_date}→{self.end_date} ({self.status})"
        return f"{self.inventory_key} ×{self.quantity} ({self.status})"

    def is_live(self, now=None):
        now = now or timezone.now()
        if self.status == ReservationStatus.CONFIRMED:
            return True
        return self.status == ReservationStatus.HELD and self.hold_expires_at > now

    @property
    def nights(self):
        if self.start_date and self.end_date:
            return (self.end_date - self.start_date).days
        return None
