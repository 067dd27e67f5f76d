"""Daily reconciliation (对账): every line of a provider's statement of a day matched to one of
our payments or refunds, by reference and amount; what does not match is kept as a discrepancy
for staff (the admin's "Reconciliation" report).

* Money on the statement that no order of ours knows as paid (or refunded): ``unknown``.
* A payment or refund we recorded that the statement does not show: ``missing``.
* Both sides there, amounts apart: ``amount``.
* The statement could not be had: the day is ``failed`` with a ``download`` discrepancy.

Day boundaries: the providers cut their day at midnight Beijing time by *their* clock, while our
``paid_at`` is when the notification reached us, which may be a little later. So a statement
line is matched whatever day we recorded it on; and one of ours recorded in the last
``ORDERS_RECONCILE_BOUNDARY_MINUTES`` of the day but not on that day's statement is not called
missing but *carried* to the next day's run, which judges it (matched on its statement, or
missing then). A record matched on a neighbouring day's statement is never missing here.

Re-running a day replaces its result (the statement is downloaded again); a discrepancy staff
resolved before keeps its resolution if the re-run finds it again. Statement downloads happen
outside any transaction; the result is written in one.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orders.models import (
    Discrepancy,
    DiscrepancyKind,
    Payment,
    ReconciliationDay,
    ReconciliationStatus,
    Refund,
)
from orders.models.orders import MONEY_IN

from .base import get_provider, reconciling_providers
from .exceptions import StatementUnavailable
from .statements import BEIJING, day_bounds

logger = logging.getLogger(__name__)


def previous_day(now=None) -> date:
    """Yesterday in Beijing: the day whose statements the providers publish this morning."""
    return timezone.localtime(now or timezone.now(), BEIJING).date() - timedelta(days=1)


def boundary() -> timedelta:
    return timedelta(minutes=settings.ORDERS_RECONCILE_BOUNDARY_MINUTES)


def reconcile(day: date | None = None, providers=None) -> list[ReconciliationDay]:
    """Reconcile ``day`` (default: yesterday) for each named provider (default: every one with a
    statement and its keys). One provider failing never stops the others."""
    day = day or previous_day()
    names = providers or [provider.name for provider in reconciling_providers()]
    return [reconcile_day(name, day) for name in names]


def reconcile_day(provider_name: str, day: date) -> ReconciliationDay:
    provider = get_provider(provider_name)
    try:
        lines = provider.statement(day)
    except StatementUnavailable as exc:
        logger.error("Reconciliation of %s on %s: %s", provider_name, day, exc.message)
        return _record_failure(provider_name, day, str(exc.message))
    return _record(provider, day, lines)


def _keep_resolutions(provider_name, day) -> dict:
    """Resolutions staff gave the day's earlier run, by what each discrepancy was about."""
    return {
        (d.kind, d.direction, d.reference): d
        for d in Discrepancy.objects.filter(
            day__provider=provider_name, day__day=day, resolved_at__isnull=False
        )
    }


def _save_discrepancies(day_row, found, resolved):
    for discrepancy in found:
        discrepancy.day = day_row
        earlier = resolved.get((discrepancy.kind, discrepancy.direction, discrepancy.reference))
        if earlier is not None:
            discrepancy.resolved_at, discrepancy.resolved_by_id = earlier.resolved_at, earlier.resolved_by_id
            discrepancy.note = earlier.note
    Discrepancy.objects.bulk_create(found)


def _record_failure(provider_name, day, error) -> ReconciliationDay:
    with transaction.atomic():
        resolved = _keep_resolutions(provider_name, day)
        ReconciliationDay.objects.filter(provider=provider_name, day=day).delete()
        row = ReconciliationDay.objects.create(
            provider=provider_name, day=day, status=ReconciliationStatus.FAILED, error=error[:2000]
        )
        _save_discrepancies(row, [Discrepancy(kind=DiscrepancyKind.DOWNLOAD, reference=str(day))], resolved)
    return row


def _neighbours(provider_name, day) -> tuple[set, set]:
    """(references matched on the day before or after, references the day before carried)."""
    matched, carried = set(), set()
    for row in ReconciliationDay.objects.filter(
        provider=provider_name, day__in=[day - timedelta(days=1), day + timedelta(days=1)]
    ):
        matched.update(row.matched_references)
        if row.day < day:
            carried.update(row.carried_references)
    return matched, carried


def _ours(provider, day, lines):
    """Our payments and refunds this statement is held against, keyed by statement reference:
    those the statement names (any day), and those recorded on the day (or carried to it)."""
    start, end = day_bounds(day)
    matched_elsewhere, carried_in = _neighbours(provider.name, day)
    money_in = Payment.objects.filter(provider=provider.name, status__in=MONEY_IN)
    named_payments = provider.statement_payments([ln.reference for ln in lines if ln.kind == "payment"])
    day_payments = money_in.filter(paid_at__gte=start - boundary(), paid_at__lt=end)
    payments = {
        provider.statement_reference(p): p
        for p in (named_payments | day_payments).select_related("order").distinct()
    }
    refunds_qs = Refund.objects.filter(payment__provider=provider.name, manual=False).exclude(
        provider_reference=""
    )
    named_refunds = refunds_qs.filter(
        provider_reference__in=[ln.reference for ln in lines if ln.kind == "refund"]
    )
    day_refunds = refunds_qs.filter(created_at__gte=start - boundary(), created_at__lt=end)
    refunds = {
        r.provider_reference: r
        for r in (named_refunds | day_refunds).select_related("payment__order").distinct()
    }

    def belongs_to_day(reference, at):
        # Recorded on the day, or in the previous day's last minutes and carried to this one.
        if reference in matched_elsewhere:
            return False
        return at >= start or reference in carried_in

    return payments, refunds, belongs_to_day, end - boundary()


def _record(provider, day, lines) -> ReconciliationDay:
    payments, refunds, belongs_to_day, carry_from = _ours(provider, day, lines)
    found, matched = [], []
    totals = {"statement_in": 0, "statement_out": 0, "ours_in": 0, "ours_out": 0, "carried": 0}
    for line in lines:
        side = "in" if line.kind == "payment" else "out"
        totals[f"statement_{side}"] += line.amount_fen
        ours = (payments if line.kind == "payment" else refunds).get(line.reference)
        fk = {"payment": ours} if line.kind == "payment" else {"refund": ours}
        base = {
            "direction": line.kind,
            "reference": line.reference,
            "transaction_id": line.transaction_id,
            "statement_fen": line.amount_fen,
            "occurred_at": line.time,
        }
        known = ours is not None and line.reference not in matched
        if known and line.kind == "payment" and ours.status not in MONEY_IN:
            known = False  # the order exists but never learnt it was paid: money it does not know of
        if not known:
            found.append(Discrepancy(kind=DiscrepancyKind.UNKNOWN, **base, **fk))
            continue
        matched.append(line.reference)
        totals[f"ours_{side}"] += ours.amount_fen
        if ours.amount_fen != line.amount_fen:
            found.append(Discrepancy(kind=DiscrepancyKind.AMOUNT, ours_fen=ours.amount_fen, **base, **fk))
    carried = []
    for kind, records, at in (
        ("payment", payments, lambda p: p.paid_at),
        ("refund", refunds, lambda r: r.created_at),
    ):
        for reference, ours in records.items():
            if kind == "payment" and ours.status not in MONEY_IN:
                continue  # not paid by our books (maybe named on the statement: unknown above)
            if reference in matched or not belongs_to_day(reference, at(ours)):
                continue
            if at(ours) >= carry_from:
                carried.append(reference)
                totals["carried"] += ours.amount_fen if kind == "payment" else -ours.amount_fen
                continue
            totals["ours_in" if kind == "payment" else "ours_out"] += ours.amount_fen
            fk = {"payment": ours} if kind == "payment" else {"refund": ours}
            found.append(
                Discrepancy(
                    kind=DiscrepancyKind.MISSING,
                    direction=kind,
                    reference=reference,
                    ours_fen=ours.amount_fen,
                    occurred_at=at(ours),
                    **fk,
                )
            )
    with transaction.atomic():
        resolved = _keep_resolutions(provider.name, day)
        ReconciliationDay.objects.filter(provider=provider.name, day=day).delete()
        row = ReconciliationDay.objects.create(
            provider=provider.name,
            day=day,
            status=ReconciliationStatus.DISCREPANCIES if found else ReconciliationStatus.MATCHED,
            downloaded_at=timezone.now(),
            statement_in_fen=totals["statement_in"],
            statement_out_fen=totals["statement_out"],
            statement_lines=len(lines),
            ours_in_fen=totals["ours_in"],
            ours_out_fen=totals["ours_out"],
            matched_lines=len(matched),
            carried_fen=totals["carried"],
            matched_references=matched,
            carried_references=carried,
        )
        _save_discrepancies(row, found, resolved)
    return row


def resolve(discrepancy: Discrepancy, *, user, note: str) -> bool:
    """Staff looked into it: mark it resolved with their note. False if it already was."""
    note = (note or "").strip()
    if not note:
        raise ValueError("a note is required")
    return bool(
        Discrepancy.objects.filter(pk=discrepancy.pk, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=user, note=note
        )
    )
