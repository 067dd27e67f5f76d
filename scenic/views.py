"""The "right now" page (public, stored by the page cache) and the staff's parking counter page
(phone-sized). Thin: scenic.now reads, scenic.parking writes."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from town.translations import active_locale, localize_villages

from . import parking
from .models import CarPark
from .now import map_markers, now_snapshot


@require_GET
def right_now(request):
    snapshot = now_snapshot()
    markers = map_markers(snapshot["car_parks"], snapshot["facilities"])
    return render(
        request,
        "scenic/now.html",
        {**snapshot, "map_markers": markers, "poll_ms": settings.SCENIC_NOW_POLL_SECONDS * 1000},
    )


COUNT_PERMISSION = "scenic.count_parking"


@never_cache
@login_required
@permission_required(COUNT_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def parking_counter(request):
    """+1 / −1 and a typed count per car park. A refused count answers 4xx with the reason and
    the page again; a stored one goes back to the list (a reload never counts twice)."""
    error, error_for, status = "", None, 200
    if request.method == "POST":
        try:
            car_park_id = int(request.POST.get("car_park", ""))
        except ValueError:
            car_park_id = None
        action = request.POST.get("action")
        # One key per press, made by the page's script: a press sent again counts once.
        key = request.POST.get("press_key")
        try:
            if car_park_id is None:
                raise parking.UnknownCarPark(_("Choose a car park."))
            if action in ("in", "out"):
                # A car coming in takes a space; one leaving frees one.
                count = parking.change_free(car_park_id, -1 if action == "in" else 1, key=key)
            elif action == "set":
                raw = (request.POST.get("free") or "").strip()
                if not raw.isdigit():
                    raise parking.CountOutOfRange(_("Type the free spaces as a whole number, 0 or more."))
                count = parking.set_free(car_park_id, int(raw), key=key)
            else:
                raise parking.CountOutOfRange(_("Unknown action."))
        except parking.ParkingError as exc:
            error, error_for, status = exc.message, car_park_id, exc.status
        else:
            messages.success(
                request, _("%(free)s of %(total)s spaces free.") % {"free": count.free, "total": count.total}
            )
            return redirect(f"{reverse('scenic_parking')}#car-park-{count.car_park_id}")
    car_parks = localize_villages(
        list(CarPark.objects.select_related("village").order_by("name", "pk")), active_locale().pk
    )
    return render(
        request,
        "scenic/parking.html",
        {"car_parks": car_parks, "error": error, "error_for": error_for},
        status=status,
    )
