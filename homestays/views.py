"""Page contexts for the homestay index (search) and homestay pages; thin, the rules live in
selectors and pricing."""

from datetime import date, timedelta

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orders.exceptions import ReservationError
from orders.views import add_to_basket

from . import selectors
from .forms import AddStayForm, AvailabilityForm, QuoteForm
from .inventory import STAY

RESULTS_PER_PAGE = 12
CALENDAR_MONTHS_AHEAD = 12


def _markers(pages, request):
    return [
        {"lat": float(p.latitude), "lng": float(p.longitude), "title": p.title, "url": p.get_url(request)}
        for p in pages
        if p.latitude is not None and p.longitude is not None
    ]


VIEW_LIST, VIEW_MAP = "list", "map"


def index_context(index_page, request):
    """The homestay search: result cards (one per homestay) or a map of this page's homestays."""
    form = AvailabilityForm(request.GET or None, locale=index_page.locale)
    valid = form.is_bound and form.is_valid()
    page_number = request.GET.get("page")
    searched = valid and form.has_dates
    if searched:
        data = form.cleaned_data
        page_obj = selectors.search_homestays(
            data["check_in"],
            data["check_out"],
            data.get("guests") or 1,
            page=page_number,
            per_page=RESULTS_PER_PAGE,
            sort=form.chosen_sort,
            near=form.near_point,
            locale=index_page.locale,
            **form.search_kwargs(),
        )
    else:
        filters = {}
        if valid:
            filters = {
                "village": form.cleaned_data.get("village"),
                "amenities": form.cleaned_data.get("amenities"),
                "sort": form.chosen_sort,
                "near": form.near_point,
            }
        page_obj = selectors.homestay_listing(
            locale=index_page.locale, page=page_number, per_page=RESULTS_PER_PAGE, **filters
        )
    view = VIEW_MAP if request.GET.get("view") == VIEW_MAP else VIEW_LIST
    # Filters beyond dates and guests are folded on phones (results first); open when one is wrong.
    folded = ("village", "price_min", "price_max", "amenities", "sort", "near")
    return {
        "form": form,
        "searched": searched,
        "page_obj": page_obj,
        "result_count": page_obj.paginator.count,
        "view": view,
        "filters_wrong": any(form.errors.get(name) for name in folded),
        "markers": _markers([r.homestay for r in page_obj.object_list], request) if view == VIEW_MAP else [],
        "stay_query": _stay_query(form) if searched else "",
        "stay_nights": (form.cleaned_data["check_out"] - form.cleaned_data["check_in"]).days
        if searched
        else None,
    }


def _stay_query(form):
    """The chosen stay for a homestay link, so its page opens on the same dates and guests."""
    data = form.cleaned_data
    return urlencode(
        {
            "check_in": data["check_in"].isoformat(),
            "check_out": data["check_out"].isoformat(),
            "guests": data.get("guests") or 1,
        }
    )


def _month_from(request, today):
    """The calendar month from ?month=YYYY-MM, kept between this month and a year ahead."""
    this_month = today.replace(day=1)
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-"))
        chosen = date(year, month, 1)
    except (ValueError, TypeError):
        return this_month
    last = this_month
    for _i in range(CALENDAR_MONTHS_AHEAD):
        last = (last + timedelta(days=32)).replace(day=1)
    return min(max(chosen, this_month), last)


def _weeks(days, month_start):
    """Calendar rows Monday..Sunday, padded with None outside the month."""
    cells = [None] * month_start.weekday() + list(days)
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


def homestay_context(page, request):
    today = selectors.local_today()
    month_start, month_end = selectors.month_range(_month_from(request, today))
    calendars = selectors.room_calendars(page, month_start, month_end)
    # Texts come from this page's room types (translated), inventory from the canonical ones.
    display = {rt.translation_key: rt for rt in page.room_types.all()}
    rooms = []
    for calendar in calendars:
        shown = display.get(calendar.room_type.translation_key, calendar.room_type)
        rooms.append(
            {
                "room_type": calendar.room_type,
                "display": shown,
                "weeks": _weeks(calendar.days, month_start),
            }
        )

    quote_form = QuoteForm(request.GET if "check_in" in request.GET else None)
    quotes = []
    if quote_form.is_bound and quote_form.is_valid():
        data = quote_form.cleaned_data
        rooms_wanted = data.get("rooms") or 1
        for room in rooms:
            rt = room["room_type"]
            entry = {"room": room, "quote": None, "error": None}
            if data["guests"] > rt.max_guests * rooms_wanted:
                entry["error"] = _("Sleeps at most %(n)d guests per room.") % {"n": rt.max_guests}
            else:
                try:
                    entry["quote"] = selectors.quote_stay(
                        rt, data["check_in"], data["check_out"], rooms=rooms_wanted
                    )
                except ReservationError as exc:
                    entry["error"] = exc.message
            quotes.append(entry)

    prev_month = (month_start - timedelta(days=1)).replace(day=1)
    return {
        "rooms": rooms,
        "month_start": month_start,
        "prev_month": prev_month if prev_month >= today.replace(day=1) else None,
        "next_month": month_end,
        "weekday_names": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        "quote_form": quote_form,
        "quotes": quotes,
        "amenities": list(page.amenities.all()),
        "gallery": list(page.gallery_images.select_related("image")),
        "show_contact": selectors.guest_has_confirmed_stay(request.user, page),
        "markers": _markers([page], request),
    }


def _back(request, fallback):
    target = request.POST.get("next") or request.headers.get("referer") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@require_POST
def add_stay(request):
    """The "add to basket" form under a room of a homestay page, posted to /basket/add/.

    Added: to the basket. Refused: back to the homestay page with the same messages as any kind's
    refusal (``orders.views.add_to_basket``); the form is not the page, so it goes back by redirect
    rather than showing the page again with a 422 or 409 as the tour, ticket and product pages do.
    """
    form = AddStayForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request,
                    f"{form.fields[field].label or field}: {error}" if field in form.fields else error,
                )
        return _back(request, "orders_basket")
    refused = add_to_basket(request, {"kind": STAY, **form.cleaned_data})
    if refused is None:
        return redirect("orders_basket")
    for message in refused.messages:
        messages.error(request, message)
    return _back(request, "orders_basket")
