"""Orders paid in parts: a deposit due now, the balance due by a date (``DepositPlan``).

Groups accept a quote this way (``groups.services.accept_quote``); the core knows nothing of
quotes. The order is placed with no payment: each part is asked for when the visitor pays it,
online (``start_part_payment``: a payment of what is due now, through the provider's usual pay
page) or by a bank transfer staff record (``record_bank_transfer``). Every payment goes through
``order_state.payment_succeeded``: the first money in confirms the holds and the order
(CONFIRMED); the last makes it PAID. Deposits not paid in time release the holds
(``cancel_unpaid_deposit``); a reminder goes out before the balance date
(``send_balance_reminders``), once.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import notifications, reservations
from .exceptions import OrderStateError
from .models import DepositPlan, Order, OrderStatus, Payment, PaymentStatus
from .models.orders import MONEY_IN, OPEN_STATUSES
from .order_state import _mark_cancelled, _stop_payments, payment_succeeded, place_order
from .payments import get_provider
from .payments.exceptions import UnknownProvider
from .refunds import paid_left_fen

DEPOSIT = "deposit"
BALANCE = "balance"
MAX_REFERENCE = 100


@dataclass(frozen=True)
class Due:
    """What an order paid in parts asks for now: which part, how much, and by when."""

    part: str  # DEPOSIT or BALANCE
    amount_fen: int
    due_by: datetime.datetime | datetime.date | None


@dataclass(frozen=True)
class PartsPaid:
    """An order paid in parts as its page shows it."""

    total_fen: int
    deposit_fen: int
    paid_fen: int
    balance_due_on: datetime.date
    due: Due | None

    @property
    def outstanding_fen(self):
        return max(0, self.total_fen - self.paid_fen)

    @property
    def balance_fen(self):
        """The part after the deposit, whatever has been paid of it."""
        return self.total_fen - self.deposit_fen

    @property
    def due_now_fen(self):
        """The deposit still to pay now (0 once it is in: the balance waits for its date)."""
        return self.due.amount_fen if self.due and self.due.part == DEPOSIT else 0

    @property
    def deposit_paid(self):
        return self.paid_fen >= self.deposit_fen


def place_with_deposit(
    *,
    user,
    lines,
    contact_name,
    contact_phone,
    currency,
    deposit_fen,
    balance_due_on,
    hold_expires_at,
    language="",
    now=None,
) -> Order:
    """Place an order of held ``lines`` (``order_state.PlacedLine``) paid in two parts. Must run in
    the caller's transaction, after the holds were taken. No deposit (0): confirmed at once."""
    total = sum(line.price.total.fen for line in lines)
    if not 0 <= deposit_fen <= total:
        raise ValueError("The deposit must be between 0 and the total.")
    with transaction.atomic():
        order = place_order(
            user=user,
            lines=lines,
            contact_name=contact_name,
            contact_phone=contact_phone,
            provider=None,
            currency=currency,
            language=language,
            hold_expires_at=hold_expires_at,
            now=now,
        )
        DepositPlan.objects.create(order=order, deposit_fen=deposit_fen, balance_due_on=balance_due_on)
        if deposit_fen == 0 and order.status == OrderStatus.PENDING:
            reservations.confirm(reservations.standing_for(order), now=now)
            order.status = OrderStatus.CONFIRMED
            order.save(update_fields=["status", "updated_at"])
            notifications.order_confirmed(order)
    return order


def parts_paid(order, payments=None) -> PartsPaid | None:
    """The deposit, what is paid and what is due now, for an order paid in parts; else None.
    ``payments``: the order's payments when the caller has them (prefetched)."""
    try:
        plan = order.deposit_plan  # select_related("deposit_plan") on pages: no query
    except DepositPlan.DoesNotExist:
        return None
    payments = list(order.payments.all()) if payments is None else payments
    paid = paid_left_fen(payments)
    due = None
    if order.status in OPEN_STATUSES:
        if paid < plan.deposit_fen:
            due = Due(DEPOSIT, plan.deposit_fen - paid, order.hold_expires_at)
        elif paid < order.total_fen:
            due = Due(BALANCE, order.total_fen - paid, plan.balance_due_on)
    return PartsPaid(order.total_fen, plan.deposit_fen, paid, plan.balance_due_on, due)


def start_part_payment(order, provider_name) -> Payment:
    """A payment of what is due now through an online provider (its pay page collects it); the
    pending one of the same amount if there is one, so a second click makes no second payment."""
    try:
        provider = get_provider(provider_name)
    except UnknownProvider:
        raise OrderStateError(
            _("Please choose one of the payment methods offered."), code="bad_provider"
        ) from None
    if not provider.online or not provider.is_enabled(order):
        raise OrderStateError(_("Please choose one of the payment methods offered."), code="bad_provider")
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        state = parts_paid(order)
        if state is None or state.due is None:
            raise OrderStateError(_("Nothing is due on this order."), code="nothing_due")
        pending = (
            order.payments.filter(
                provider=provider.name,
                status__in=(PaymentStatus.PENDING, PaymentStatus.FAILED),
                amount_fen=state.due.amount_fen,
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if pending is not None:
            return pending
        return Payment.objects.create(
            order=order, provider=provider.name, amount_fen=state.due.amount_fen, currency=order.currency
        )


def clean_transfer(amount_fen, paid_on, reference, *, outstanding_fen, today):
    """The fields of a bank transfer staff record: {field: message} for what is wrong."""
    errors = {}
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen < 1:
        errors["amount_fen"] = _("Give the amount received, at least 1 fen.")
    elif amount_fen > outstanding_fen:
        errors["amount_fen"] = _("Only %(n)s fen is outstanding on this order.") % {"n": outstanding_fen}
    if not isinstance(paid_on, datetime.date) or paid_on > today:
        errors["paid_on"] = _("Give the day the money arrived, not after today.")
    reference = (reference or "").strip() if isinstance(reference, str) else ""
    if not reference or len(reference) > MAX_REFERENCE:
        errors["reference"] = _("Give the bank's reference of the transfer (at most 100 characters).")
    return errors, reference


class TransferInvalid(OrderStateError):
    def __init__(self, errors):
        self.errors = {key: str(value) for key, value in errors.items()}
        super().__init__("; ".join(self.errors.values()), code="invalid")


def record_bank_transfer(order, *, amount_fen, paid_on, reference, by_user, now=None) -> Payment:
    """Staff saw ``amount_fen`` arrive by bank transfer on ``paid_on``: a paid payment of the order
    (as one paid on site, with who recorded it). One bank reference is recorded once."""
    now = now or timezone.now()
    today = reservations.local_today(now)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        state = parts_paid(order)
        if state is None:
            raise OrderStateError(_("This order is not paid in parts."), code="not_in_parts")
        if order.status not in OPEN_STATUSES:
            raise OrderStateError(_("A cancelled order cannot be paid."), code="closed")
        errors, reference = clean_transfer(
            amount_fen, paid_on, reference, outstanding_fen=state.outstanding_fen, today=today
        )
        if errors:
            raise TransferInvalid(errors)
        provider_reference = f"transfer-{reference}"
        if Payment.objects.filter(provider_reference=provider_reference).exists():
            raise TransferInvalid({"reference": _("A transfer with this reference is recorded already.")})
        payment = Payment.objects.create(
            order=order, provider="on_site", amount_fen=amount_fen, currency=order.currency
        )
        try:
            with transaction.atomic():
                payment_succeeded(
                    payment,
                    amount_fen=amount_fen,
                    currency=order.currency,
                    provider_reference=provider_reference,
                    now=now,
                )
        except IntegrityError:  # the same reference, recorded at the same moment by someone else
            raise TransferInvalid(
                {"reference": _("A transfer with this reference is recorded already.")}
            ) from None
        zone = ZoneInfo(settings.TIME_ZONE)
        Payment.objects.filter(pk=payment.pk).update(
            recorded_by=by_user if getattr(by_user, "pk", None) else None,
            paid_at=datetime.datetime.combine(paid_on, datetime.time(12), tzinfo=zone),
        )
    payment.refresh_from_db()
    return payment


def unpaid_deposit_orders(now=None):
    """Orders paid in parts still pending, nothing received, their holds past."""
    now = now or timezone.now()
    return (
        Order.objects.filter(
            deposit_plan__isnull=False,
            status=OrderStatus.PENDING,
            hold_expires_at__isnull=False,
            hold_expires_at__lte=now,
        )
        .exclude(payments__status__in=MONEY_IN)
        .distinct()
        .order_by("pk")
    )


def cancel_unpaid_deposit(order, *, now=None) -> bool:
    """Cancel an order whose deposit did not come in its hold time: the holds go, payments still
    open are stopped with their provider after the commit. Re-checked under the order's lock: a
    deposit that arrived meanwhile wins, and a second run changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        payments = list(order.payments.select_for_update().order_by("pk"))
        if (
            order.status != OrderStatus.PENDING
            or order.hold_expires_at is None
            or order.hold_expires_at > now
            or any(p.status in MONEY_IN for p in payments)
            or not DepositPlan.objects.filter(order=order).exists()
        ):
            return False
        to_stop = _mark_cancelled(
            order, payments, reason=str(_("The deposit was not paid in time.")), now=now
        )
        notifications.order_cancelled(order, 0, 0)
        transaction.on_commit(lambda: _stop_payments(to_stop))
    return True


def balance_reminder_orders(*, days_before, now=None):
    """Orders with a deposit in and a balance left, due within ``days_before`` days, not reminded."""
    today = reservations.local_today(now)
    return DepositPlan.objects.filter(
        order__status=OrderStatus.CONFIRMED,
        balance_reminded_at__isnull=True,
        balance_due_on__lte=today + datetime.timedelta(days=days_before),
        balance_due_on__gte=today,
    )


def send_balance_reminders(*, days_before=7, now=None) -> int:
    """Text (and mail) each group whose balance falls due within ``days_before`` days, once: the
    plan is claimed under its lock in the transaction that queues the notice."""
    now = now or timezone.now()
    sent = 0
    for plan_id in list(
        balance_reminder_orders(days_before=days_before, now=now).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            plan = (
                balance_reminder_orders(days_before=days_before, now=now)
                .select_for_update(of=("self",))
                .filter(pk=plan_id)
                .select_related("order")
                .first()
            )
            if plan is None:  # another run took it
                continue
            state = parts_paid(plan.order)
            plan.balance_reminded_at = now
            plan.save(update_fields=["balance_reminded_at"])
            if state is None or state.due is None or state.due.part != BALANCE:
                continue
            notifications.balance_due(plan.order, state.due.amount_fen, plan.balance_due_on)
        sent += 1
    return sent
