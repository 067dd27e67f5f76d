"""The spot gate: admit a timed entry by its voucher code or by the holder's ID number.

Admission goes through ``orders.vouchers.check_in``, which locks the voucher: a second scan,
a retried request or two phones at once admit it once, and the answer says when it was first
used. The voucher must be for this spot and today (else ``ELSEWHERE`` with the reason). By ID
number: the document's pass for this spot today leads to the line that claims it. An admitted
line counts its people in (``crowding.move``) in the same transaction.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import OrderLine, Reservation, Voucher
from orders.vouchers import CheckInResult, check_in, normalize_code

from . import crowding, idcards
from .inventory import ENTRY, ENTRY_ID
from .models import EntryPass, EntryWindow


@dataclass
class GateOutcome:
    result: str
    reason: str = ""
    line: OrderLine | None = None
    used_at: datetime.datetime | None = None

    @property
    def admitted(self):
        return self.result == CheckInResult.ADMITTED


def may_keep_gate(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_staff or user.has_perm("gates.count_people"))
    )


def _where(line):
    window = EntryWindow.objects.select_related("day").filter(pk=line.object_id).first()
    return (window.rule_id, window.day.date) if window else (None, None)


def admit_code(rule, code, *, by_user, now=None, collect=False) -> GateOutcome:
    now = now or timezone.now()
    today = timezone.localdate(now)

    def belongs(line):
        return line.kind == ENTRY and _where(line) == (rule.pk, today)

    with transaction.atomic():
        result, voucher = check_in(code, by_user=by_user, now=now, belongs=belongs, collect=collect)
        if voucher is None:
            return GateOutcome(result, _("Unknown code, or the booking is not paid or was cancelled."))
        line = voucher.order_line
        if result == CheckInResult.ADMITTED:
            crowding.move(rule.spot_id, line.quantity, now=now)
        reason = ""
        if result == CheckInResult.ELSEWHERE:
            rule_id, day = _where(line) if line.kind == ENTRY else (None, None)
            if rule_id == rule.pk and day is not None:
                reason = _("This entry is for %(day)s, not today.") % {"day": day.isoformat()}
            else:
                reason = _("This voucher is for another spot or booking.")
        elif result == CheckInResult.UNPAID:
            reason = _("Not paid yet: please take the payment, then admit.")
        return GateOutcome(result, reason, line, voucher.used_at)


def admit_id(rule, number, *, by_user, now=None, collect=False) -> GateOutcome:
    """Admit the entry booked today at this spot for this ID card or passport number."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    hashes = []
    # 18 digits (or 17 and X) is an ID card number, and only that: a mistyped one says why.
    kinds = (idcards.ID_CARD,) if idcards.looks_like_id_card(number) else (idcards.ID_CARD, idcards.PASSPORT)
    for id_type in kinds:
        try:
            hashes.append(idcards.fingerprint(id_type, idcards.clean_number(id_type, number, today=today)))
        except idcards.BadIdNumber as exc:
            if len(kinds) == 1:
                return GateOutcome(CheckInResult.NOT_VALID, str(exc.message))
    if not hashes:
        return GateOutcome(CheckInResult.NOT_VALID, _("This is not a valid ID card or passport number."))
    passes = {p.pk: p for p in EntryPass.objects.filter(rule=rule, id_hash__in=hashes)}
    claims = (
        Reservation.objects.live(now)
        .filter(kind=ENTRY_ID, object_id__in=list(passes), order_line__isnull=False)
        .values_list("object_id", "order_line_id")
    )
    today_line = next((line_id for pk, line_id in claims if passes[pk].date == today), None)
    if today_line is None:
        other = sorted(passes[pk].date for pk, _line in claims if passes[pk].date >= today)
        if other:
            return GateOutcome(
                CheckInResult.ELSEWHERE, _("This ID has an entry for %(day)s, not today.") % {"day": other[0]}
            )
        return GateOutcome(CheckInResult.NOT_VALID, _("No entry is booked today for this ID number."))
    code = Voucher.objects.filter(order_line_id=today_line).values_list("code", flat=True).first()
    if code is None:
        return GateOutcome(CheckInResult.NOT_VALID, _("This booking has no voucher yet (not confirmed)."))
    return admit_code(rule, code, by_user=by_user, now=now, collect=collect)


def holders_at_gate(line):
    """The holders of an admitted line with their numbers in full: the gate compares them with the
    documents shown (the only place they are unsealed)."""
    return [
        {"name": h["name"], "id_number": idcards.unseal(h.get("id_sealed", "")) or h.get("id_masked", "")}
        for h in (line.options or {}).get("holders", [])
    ]


def looks_like_code(value) -> bool:
    return bool(normalize_code(value))
