"""Wagtail admin: the waiting list per thing (slot, ticket type, room type and nights), in line
order, with the entry's place, and staff's two actions: take an entry off, offer it now."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import waitlist
from .admin_views import can_manage_orders
from .exceptions import ReservationError
from .models import ACTIVE_STATUSES, WaitlistEntry


def _staff_only(request):
    if not can_manage_orders(request.user):
        raise PermissionDenied


def waitlist_index(request):
    """Every entry still in line, grouped by what it waits for, first in line first."""
    _staff_only(request)
    entries = waitlist.with_positions(
        WaitlistEntry.objects.filter(status__in=ACTIVE_STATUSES)
        .select_related("user")
        .order_by("kind", "object_id", "start_date", "created_at", "pk")[:500]
    )
    waitlist.describe(entries)
    groups = {}
    for entry in entries:
        groups.setdefault((entry.kind, entry.object_id, entry.start_date, entry.end_date), []).append(entry)
    return render(
        request,
        "orders/admin/waitlist.html",
        {"page_title": _("Waiting list"), "groups": list(groups.values())},
    )


@require_POST
def waitlist_offer(request, pk):
    """Offer what is free to this entry now, ahead of its turn (when it fits)."""
    _staff_only(request)
    try:
        waitlist.offer_now(pk)
    except (waitlist.EntryNotFound, ReservationError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Offered: the places are held and the visitor is e-mailed."))
    return redirect("orders_admin_waitlist")


@require_POST
def waitlist_remove(request, pk):
    """Take the entry off the list; an offer it held passes to the next."""
    _staff_only(request)
    try:
        waitlist.remove(pk)
    except waitlist.EntryNotFound as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Taken off the waiting list."))
    return redirect("orders_admin_waitlist")
