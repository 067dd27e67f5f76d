"""The gate check-in pages (staff, phone-sized): pick an event or a tour slot, then scan codes.

Thin: ``events.gate`` decides. A scan form carries a one-off ``scan_id``: a request retried
with the same id (poor signal at the gate) shows the first answer again instead of "already
used", and the voucher lock in ``orders.vouchers.check_in`` makes sure it is admitted once.

A voucher of an order to be paid on site is not admitted: the page shows the amount to take for
the whole order and a "Collected, admit" form (``action=collect``, its own ``scan_id``), which
records the payment as taken by the user and admits, once however often it is sent.
"""

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from orders.models import OrderLine
from orders.order_state import OrderStateError
from orders.vouchers import CheckInResult, normalize_code
from town.spots import staff_gates_for

from . import gate as gate_service

SESSION_KEY = "gate_scans"
REMEMBERED_SCANS = 30
STATUS = {
    CheckInResult.ADMITTED: 200,
    CheckInResult.ALREADY_USED: 409,
    CheckInResult.ELSEWHERE: 422,
    CheckInResult.NOT_VALID: 422,
    CheckInResult.UNPAID: 402,
}
COLLECT = "collect"


@never_cache
@login_required
def gate_index(request):
    gates = gate_service.gates_for(request.user)
    # The scenic spots' gates and head counters (the gates app, through town's registry).
    spot_gates = staff_gates_for(request.user)
    if not gates and not spot_gates and not gate_service.is_staff(request.user):
        raise PermissionDenied
    return render(
        request,
        "events/gate/index.html",
        {"gates": gates, "spot_gates": spot_gates, "today": timezone.localdate()},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def gate_scan(request, key):
    try:
        gate = gate_service.get_gate(key)
    except gate_service.UnknownGate:
        raise Http404(_("There is no such event or tour time.")) from None
    if not gate_service.may_open(request.user, gate):
        raise PermissionDenied
    outcome, code, error, status, replayed = None, "", "", 200, False
    if request.method == "POST":
        code = normalize_code(request.POST.get("code"))
        scan_id = (request.POST.get("scan_id") or "")[:64]
        action = COLLECT if request.POST.get("action") == COLLECT else "scan"
        if not code:
            error, status = _("Please type or scan a code."), 422
        else:
            outcome = _replayed(request, scan_id, gate, code, action)
            replayed = outcome is not None
            if outcome is None:
                try:
                    outcome = gate_service.admit(gate, code, by_user=request.user, collect=action == COLLECT)
                except OrderStateError as exc:
                    error, status = exc.message, 409
                else:
                    _remember(request, scan_id, gate, code, action, outcome)
            if outcome is not None:
                status = STATUS[outcome.result]
    admitted, sold = gate_service.gate_counts(gate)
    context = {
        "gate": gate,
        "outcome": outcome,
        "code": code,
        "who": gate_service.who(outcome.line) if outcome and outcome.line else None,
        "replayed": replayed,
        "error": error,
        "admitted": admitted,
        "sold": sold,
        "scan_id": uuid.uuid4().hex,
        "collect_id": uuid.uuid4().hex,
    }
    return render(request, "events/gate/scan.html", context, status=status)


def _replayed(request, scan_id, gate, code, action):
    """The outcome this very scan got before (a retried request), or None."""
    seen = request.session.get(SESSION_KEY, {}).get(scan_id) if scan_id else None
    if not seen or (seen.get("gate"), seen.get("code"), seen.get("action")) != (gate.key, code, action):
        return None
    line = OrderLine.objects.select_related("order").filter(pk=seen.get("line")).first()
    used_at = parse_datetime(seen["used_at"]) if seen.get("used_at") else None
    return gate_service.ScanOutcome(seen["result"], line, used_at)


def _remember(request, scan_id, gate, code, action, outcome):
    # An unpaid voucher admitted nothing: asking again is harmless and shows the amount afresh.
    if not scan_id or outcome.unpaid:
        return
    scans = dict(request.session.get(SESSION_KEY, {}))
    scans[scan_id] = {
        "gate": gate.key,
        "code": code,
        "action": action,
        "result": outcome.result,
        "line": outcome.line.pk if outcome.line else None,
        "used_at": outcome.used_at.isoformat() if outcome.used_at else None,
    }
    request.session[SESSION_KEY] = dict(list(scans.items())[-REMEMBERED_SCANS:])
