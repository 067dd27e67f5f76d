"""The hosts' bookings view in the Wagtail admin: their rooms' reservations, as a list and a month
grid. The tourism office sees every homestay."""

from collections import Counter
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from wagtail.models import Locale

from accounts.privacy import shown_phone
from orders.models import Reservation, ReservationKind

from . import selectors
from .models import RoomType


def can_see_bookings(user):
    return user.is_authenticated and selectors.manageable_homestays(user).exists()


def _month(request, today):
    try:
        year, month = (int(p) for p in request.GET.get("month", "").split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        return today.replace(day=1)


def bookings(request):
    if not can_see_bookings(request.user):
        raise PermissionDenied
    month_start, month_end = selectors.month_range(_month(request, selectors.local_today()))
    # Inventory rows only: translations of a page share the default-locale room types.
    room_types = list(
        RoomType.objects.filter(
            page__in=selectors.manageable_homestays(request.user), locale=Locale.get_default()
        )
        .select_related("page")
        .order_by("page__title", "sort_order", "pk")
    )
    by_id = {rt.pk: rt for rt in room_types}
    reservations = list(
        Reservation.objects.filter(
            kind=ReservationKind.STAY,
            object_id__in=list(by_id),
        )
        .live()
        .for_nights(month_start, month_end)
        .select_related("holder", "order_line__order")
        .order_by("start_date", "pk")
    )
    booked = Counter()
    for r in reservations:
        r.room_type = by_id.get(r.object_id)
        order = r.order_line.order if r.order_line else None
        r.guest = (order.contact_name if order else "") or r.holder or ""
        # The host sees the number of the guest they receive; the office by its permission.
        serves = bool(r.room_type and r.room_type.page.host_id == request.user.pk)
        r.guest_phone = shown_phone(order.contact_phone, request.user, serves=serves) if order else ""
        night = max(r.start_date, month_start)
        while night < min(r.end_date, month_end):
            booked[(r.object_id, night)] += r.quantity
            night += timedelta(days=1)
    days = [month_start + timedelta(days=i) for i in range((month_end - month_start).days)]
    grid = [
        {
            "room_type": rt,
            "cells": [{"date": d, "booked": booked[(rt.pk, d)], "units": rt.units} for d in days],
        }
        for rt in room_types
    ]
    prev_month = (month_start - timedelta(days=1)).replace(day=1)
    return render(
        request,
        "homestays/admin/bookings.html",
        {
            "page_title": _("Homestay bookings"),
            "reservations": reservations,
            "grid": grid,
            "days": days,
            "month_start": month_start,
            "prev_month": prev_month,
            "next_month": month_end,
        },
    )
