"""Booking a timed entry (public, phone-first). Thin: the entry line kind and the basket decide."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from attractions.models import AttractionPage
from orders.exceptions import OrderStateError
from orders.views import add_to_basket
from orders.vouchers import CheckInResult
from town.translations import in_language

from . import crowding, gate, idcards
from .models import CrowdLevel, SpotCrowd
from .selectors import open_days, rule_for, windows_on


def _posted_line(rule, post):
    data = {"kind": "entry", "window_id": post.get("window_id")}
    if rule.real_name:
        holders = []
        for i in range(rule.max_per_booking):
            name, number = post.get(f"name_{i}", ""), post.get(f"id_number_{i}", "")
            if name.strip() or number.strip():
                holders.append({"name": name, "id_number": number, "id_type": post.get(f"id_type_{i}")})
        data["holders"] = holders
    else:
        data["people"] = post.get("people")
    return data


@require_http_methods(["GET", "POST"])
def book_entry(request, spot_id):
    rule = rule_for(spot_id)
    if rule is None or not rule.spot.live or not rule.active:
        raise Http404(_("This spot takes no reservations."))
    days = open_days(rule)
    try:
        day = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = days[0] if days else timezone.localdate()
    errors, status, posted = {}, 200, request.POST
    if request.method == "POST":
        refused = add_to_basket(request, _posted_line(rule, posted))
        if refused is None:
            return redirect("orders_basket")
        errors, status = refused.errors, refused.status
    windows = windows_on(rule, day)
    rows = [
        {
            "i": i,
            "name": posted.get(f"name_{i}", ""),
            "id_number": posted.get(f"id_number_{i}", ""),
            "id_type": posted.get(f"id_type_{i}", idcards.ID_CARD),
            "name_error": errors.get(f"holders.{i}.name", ""),
            "id_error": errors.get(f"holders.{i}.id_number", "") or errors.get(f"holders.{i}", ""),
        }
        for i in range(rule.max_per_booking)
    ]
    context = {
        "rule": rule,
        "spot": in_language([rule.spot])[rule.spot.pk],
        "days": days,
        "day": day,
        "windows": windows,
        "free_windows": [w for w in windows if w["places_left"] > 0],
        "rows": rows,
        # The extra visitors' rows stay open once one of them was filled in (or refused).
        "more_open": any(r["name"] or r["id_number"] or r["name_error"] or r["id_error"] for r in rows[1:]),
        "id_types": idcards.ID_TYPES,
        "people_choices": range(1, rule.max_per_booking + 1),
        "chosen_window": posted.get("window_id", ""),
        "chosen_people": posted.get("people", "1"),
        "errors": errors,
        "other_errors": [m for k, m in errors.items() if k in ("", "holders", "kind", "note")],
    }
    return render(request, "gates/book.html", context, status=status)


STATUS = {
    CheckInResult.ADMITTED: 200,
    CheckInResult.ALREADY_USED: 409,
    CheckInResult.ELSEWHERE: 422,
    CheckInResult.NOT_VALID: 422,
    CheckInResult.UNPAID: 402,
}


def _staff_spot(request, spot_id, *, need_rule):
    if not gate.may_keep_gate(request.user):
        raise PermissionDenied
    rule = rule_for(spot_id)
    if need_rule and rule is None:
        raise Http404(_("This spot takes no reservations."))
    spot = rule.spot if rule else AttractionPage.objects.filter(pk=spot_id).first()
    if spot is None:
        raise Http404(_("There is no such spot."))
    return rule, spot


def _crowd_context(spot):
    crowd = SpotCrowd.objects.filter(spot=spot).first()
    return {"crowd": crowd, "level": CrowdLevel(crowd.level).label if crowd else ""}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def spot_gate(request, spot_id):
    """Staff at a spot's gate: admit by voucher code or ID number, count exits."""
    rule, spot = _staff_spot(request, spot_id, need_rule=True)
    outcome, error, status = None, "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        collect = request.POST.get("collect") == "1"
        try:
            if action == "exit":
                crowding.move(spot.pk, -_int(request.POST.get("people")))
            elif action == "id":
                outcome = gate.admit_id(
                    rule, request.POST.get("id_number", ""), by_user=request.user, collect=collect
                )
            else:
                code = request.POST.get("code", "")
                if not gate.looks_like_code(code):
                    raise crowding.CountRefused(_("Please type or scan a code."))
                outcome = gate.admit_code(rule, code, by_user=request.user, collect=collect)
        except crowding.CountRefused as exc:
            error, status = exc.message, 422
        except OrderStateError as exc:
            error, status = exc.message, 409
        if outcome is not None:
            status = STATUS.get(outcome.result, 422)
    context = {
        "spot": spot,
        "outcome": outcome,
        "error": error,
        "holders": gate.holders_at_gate(outcome.line)
        if outcome and outcome.line and outcome.admitted
        else [],
        "posted": request.POST,
        **_crowd_context(spot),
    }
    return render(request, "gates/gate.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def spot_counter(request, spot_id):
    """Staff counting people at a spot without a gate: +1, −1, or a typed head count."""
    _rule, spot = _staff_spot(request, spot_id, need_rule=False)
    error, status = "", 200
    if request.method == "POST":
        # One key per press, made by the page's script: a press sent again counts once.
        key = request.POST.get("press_key")
        try:
            if request.POST.get("action") == "set":
                crowding.set_count(spot.pk, _int(request.POST.get("people"), minimum=0), key=key)
            else:
                crowding.move(spot.pk, 1 if request.POST.get("action") == "in" else -1, key=key)
        except crowding.CountRefused as exc:
            error, status = exc.message, 422
        else:
            return redirect("gates_counter", spot_id=spot.pk)
    return render(
        request, "gates/counter.html", {"spot": spot, "error": error, **_crowd_context(spot)}, status=status
    )


def _int(value, *, minimum=1):
    text = str(value or "").strip()
    if not text.isdigit() or int(text) < minimum:
        raise crowding.CountRefused(_("Please give a whole number of people."))
    return int(text)
