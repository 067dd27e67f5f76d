"""Booking a timed entry (public, phone-first). Thin: the entry line kind and the basket decide."""

import datetime

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orders.views import add_to_basket
from town.translations import in_language

from . import idcards
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
        "id_types": idcards.ID_TYPES,
        "people_choices": range(1, rule.max_per_booking + 1),
        "chosen_window": posted.get("window_id", ""),
        "chosen_people": posted.get("people", "1"),
        "errors": errors,
        "other_errors": [m for k, m in errors.items() if k in ("", "holders", "kind", "note")],
    }
    return render(request, "gates/book.html", context, status=status)
