"""Baskets, orders, their lines, payments, refunds and vouchers.

An order's status changes only through ``orders.order_state``; a payment's status too (the
providers call it). Money is integer fen plus a currency code everywhere.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from town.translations import content_language

from ..inventory import validate_kind

DEFAULT_CURRENCY = "CNY"
# Unambiguous: no 0/O, 1/I/L, 5/S, 2/Z, 8/B (readable over the phone and from a screen).
REFERENCE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
VOUCHER_ALPHABET = REFERENCE_ALPHABET


def new_voucher_code():
    """16 characters from a 25-letter alphabet: about 74 bits, unguessable."""
    return "".join(secrets.choice(VOUCHER_ALPHABET) for _i in range(16))


class Basket(models.Model):
    """One open basket per visitor: by session while anonymous, by user once logged in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="basket",
    )
    session_key = models.CharField(_("session key"), max_length=64, blank=True, db_index=True)
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("basket")
        verbose_name_plural = _("baskets")

    def __str__(self):
        return f"basket {self.pk} ({self.user_id or 'anonymous'})"


class BasketLine(models.Model):
    basket = models.ForeignKey(
        Basket, verbose_name=_("basket"), on_delete=models.CASCADE, related_name="lines"
    )
    kind = models.CharField(_("kind"), max_length=16, validators=[validate_kind])
    object_id = models.PositiveBigIntegerField(_("object id"))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    guests = models.PositiveSmallIntegerField(_("guests"), default=1)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    # What the line's kind needs beyond dates and quantity ({"adults": 2, "children": 1} for a
    # tour, {"delivery": "pickup"} for produce); validated by the kind's handler (orders.lines).
    options = models.JSONField(_("options"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("basket line")
        verbose_name_plural = _("basket lines")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_basketline_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.kind}:{self.object_id} ×{self.quantity}"


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    CONFIRMED = "confirmed", _("Confirmed")
    PAID = "paid", _("Paid")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


# Orders that stand as sales: their lines count for vouchers, the gate, farmers and reports.
SOLD_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.PAID, OrderStatus.COMPLETED)
# Orders still running: they can be paid, cancelled or called off.
OPEN_STATUSES = (OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.PAID)


class Order(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING, db_index=True
    )
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    total_fen = models.PositiveBigIntegerField(_("total (fen)"), default=0)
    contact_name = models.CharField(_("contact name"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=32)
    language = models.CharField(_("language"), max_length=16, blank=True)
    # The token of the checkout form: a second submission of the same form finds this order.
    checkout_token = models.UUIDField(_("checkout token"), null=True, blank=True, unique=True)
    hold_expires_at = models.DateTimeField(_("holds expire at"), null=True, blank=True)
    needs_attention = models.BooleanField(_("needs staff attention"), default=False)
    staff_note = models.TextField(_("staff note"), blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmation_sent_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("orders_order_detail", args=[self.reference])

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def flag_for_staff(self, note):
        """Mark the order for staff's attention with a dated note (the caller holds its lock)."""
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        self.needs_attention = True
        self.staff_note = (self.staff_note + "\n" if self.staff_note else "") + f"[{stamp}] {note}"
        self.save(update_fields=["needs_attention", "staff_note", "updated_at"])


class LineStatus(models.TextChoices):
    LIVE = "live", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    # Moved to other dates or another room (``orders.stay_change``): the line that replaced it stands.
    CHANGED = "changed", _("Changed")


class OrderLine(models.Model):
    """A price snapshot of what was bought: later price or name changes never touch it.

    Names are kept twice, as Saleor keeps ``translated_product_name``: ``title`` and
    ``item_name`` as the thing is called in the default locale (what the host, the farmer and
    staff read), and ``translated_*`` as the visitor read them in the order's language."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=16, validators=[validate_kind])
    object_id = models.PositiveBigIntegerField(_("object id"))
    title = models.CharField(_("title"), max_length=255)
    item_name = models.CharField(_("item"), max_length=255, blank=True)
    translated_title = models.CharField(_("title in the visitor's language"), max_length=255, blank=True)
    translated_item_name = models.CharField(_("item in the visitor's language"), max_length=255, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    nights = models.PositiveSmallIntegerField(_("nights"), null=True, blank=True)
    guests = models.PositiveSmallIntegerField(_("guests"), default=1)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    unit_price_fen = models.PositiveBigIntegerField(_("unit price (fen)"))
    total_fen = models.PositiveBigIntegerField(_("total (fen)"))
    breakdown = models.JSONField(_("price breakdown"), default=list, blank=True)
    # The kind's own choices, as the basket line had them (see BasketLine.options).
    options = models.JSONField(_("options"), default=dict, blank=True)
    cancellation_policy = models.CharField(_("cancellation policy"), max_length=16, blank=True)
    # When the booked thing starts (check-in for stays), for cancellation policies.
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # Who provides it (the homestay's host): told of their part.
    provider_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    page_id_snapshot = models.PositiveBigIntegerField(_("page id"), null=True, blank=True)
    # Where the money goes: the village of the homestay, experience, event or producer, kept
    # with the sale so staff filters and the town's reports do not depend on later edits.
    village = models.ForeignKey(
        "town.Village",
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept at the sale (``orders.sellers``), so statements and reports never follow later edits:
    # who is owed the money (the host, the farmer; empty when the town sells it), the platform's
    # commission in basis points (10000 = 100 %) and whether the seller was a supported household.
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seller"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sold_lines",
    )
    commission_bp = models.PositiveIntegerField(_("commission (basis points)"), default=0)
    seller_supported = models.BooleanField(_("seller was a supported household"), default=False)
    # Set when the line was cancelled on its own (``orders.line_cancel``): by the visitor, or by the
    # organiser calling off what it sold (a tour slot, an event). The line no longer stands, its
    # voucher is void and its claims are released; the rest of the order stands.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=500, blank=True)
    # Who cancelled it: the order's visitor, or staff (empty on lines called off before this was kept).
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What cancelling the line gave back (its share of the refund, at most what was paid).
    refund_fen = models.PositiveBigIntegerField(_("refunded on cancelling (fen)"), default=0)
    # Some tickets of a line given back (3 of 5): they move to a line of their own, cancelled, which
    # points here; the line keeps the rest, its voucher and its code.
    split_from = models.ForeignKey(
        "self",
        verbose_name=_("split from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cancelled_parts",
    )
    # A stay moved to other dates or another room (``orders.stay_change``): this line stands no
    # more (``cancelled_at`` set, its voucher void) and the line it points to replaced it.
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )

    # The day-before reminder went out (``orders.reminders``): never twice for one line.
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    # The provider's morning list of the day's deliveries named it (``products.deliveries``).
    listed_for_provider_at = models.DateTimeField(_("listed for the provider at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_orderline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(commission_bp__lte=10000), name="orders_orderline_commission_at_most_all"
            ),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.title} {self.item_name}".strip()

    @property
    def status(self) -> str:
        """ "live" while the line stands, "cancelled" once it was cancelled on its own (its order's
        status says the rest: a cancelled order's lines are cancelled with it)."""
        if self.replaced_by_id:
            return LineStatus.CHANGED
        return LineStatus.CANCELLED if self.cancelled_at else LineStatus.LIVE

    @property
    def cancelled_by_visitor(self) -> bool:
        return (
            self.cancelled_at is not None
            and not self.replaced_by_id
            and self.cancelled_by_id == self.order.user_id
        )

    def _sold_in(self, language):
        sold_in = self.order.language
        return bool(sold_in) and content_language(sold_in) == content_language(language)

    def title_in(self, language=None):
        """The title in ``language`` (else the active one): the visitor's-language title when the
        order was placed in it, else the default-locale one."""
        if self.translated_title and self._sold_in(language):
            return self.translated_title
        return self.title

    def item_name_in(self, language=None):
        if self.translated_item_name and self._sold_in(language):
            return self.translated_item_name
        return self.item_name

    @property
    def shown_title(self):
        return self.title_in()

    @property
    def shown_item_name(self):
        return self.item_name_in()


class Voucher(models.Model):
    order_line = models.OneToOneField(
        OrderLine, verbose_name=_("order line"), on_delete=models.CASCADE, related_name="voucher"
    )
    code = models.CharField(_("code"), max_length=32, unique=True, default=new_voucher_code)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A void voucher admits no one (its line was called off by the organiser).
    voided_at = models.DateTimeField(_("void since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")

    def __str__(self):
        return self.code


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Canceled")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")


# Payments that took the visitor's money (some of it may have gone back since).
MONEY_IN = (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)


class Payment(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.CharField(_("provider"), max_length=32)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=PaymentStatus.choices,
        default=PaymentStatus.PENDING,
        db_index=True,
    )
    provider_reference = models.CharField(_("provider reference"), max_length=255, blank=True)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    refunded_fen = models.PositiveBigIntegerField(_("refunded (fen)"), default=0)
    failure_reason = models.CharField(_("failure reason"), max_length=500, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # Who took the money in person (on-site payments marked paid by staff or the host).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked paid by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_reference"],
                condition=~Q(provider_reference=""),
                name="orders_payment_provider_reference_unique",
            ),
            models.CheckConstraint(
                condition=Q(refunded_fen__lte=models.F("amount_fen")),
                name="orders_payment_refund_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.provider} {self.amount_fen} {self.currency} ({self.status})"

    @property
    def kept_fen(self) -> int:
        """What the visitor has paid and not had back (0 while nothing is paid)."""
        if self.status not in MONEY_IN:
            return 0
        return max(0, self.amount_fen - self.refunded_fen)


class Refund(models.Model):
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds"
    )
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    reason = models.TextField(_("reason"), blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    manual = models.BooleanField(_("paid out by staff"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="orders_refund_amount_positive"),
            models.UniqueConstraint(
                fields=["provider_reference"],
                condition=~Q(provider_reference=""),
                name="orders_refund_provider_reference_unique",
            ),
        ]

    def __str__(self):
        return f"refund {self.amount_fen} of {self.payment_id}"
