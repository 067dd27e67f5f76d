"""Page contexts for the homestay index (search) and homestay pages; thin, the rules live in
selectors and pricing."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orders.exceptions import ReservationError, SoldOut
from orders.views import add_to_basket
from town.cache import lazy_value
from town.page_cache import shows, stock_tag
from town.translations import locale_of, localize_villages

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
    """The homestay search: result cards (one per homestay) or a map of this page's homestays.

    The results are read only when the page's fragment showing them is not remembered
    ({% showingcache %} on the address: a search carries the stays' stock tag, so any booking,
    cancellation or lapsed hold cleared by ``release_expired`` makes it a miss, and closures and
    prices move the pages version). A form with errors renders live."""
    locale = locale_of(index_page)
    form = AvailabilityForm(request.GET or None, locale=locale)
    valid = form.is_bound and form.is_valid()
    page_number = request.GET.get("page")
    searched = valid and form.has_dates

    def results():
        if searched:
            data = form.cleaned_data
            # Which homestays fit depends on every room's claims, not only those shown: any stay's
            # booking or cancellation may change the list.
            shows(stock_tag(STAY))
            return selectors.search_homestays(
                data["check_in"],
                data["check_out"],
                data.get("guests") or 1,
                page=page_number,
                per_page=RESULTS_PER_PAGE,
                sort=form.chosen_sort,
                near=form.near_point,
                locale=locale,
                **form.search_kwargs(),
            )
        filters = {}
        if valid:
            filters = {
                "village": form.cleaned_data.get("village"),
                "amenities": form.cleaned_data.get("amenities"),
                "sort": form.chosen_sort,
                "near": form.near_point,
            }
        return selectors.homestay_listing(
            locale=locale, page=page_number, per_page=RESULTS_PER_PAGE, **filters
        )

    page_obj = lazy_value(results)
    view = VIEW_MAP if request.GET.get("view") == VIEW_MAP else VIEW_LIST
    # Filters beyond dates and guests are folded on phones (results first); open when one is wrong.
    folded = ("village", "price_min", "price_max", "amenities", "sort", "near")
    return {
        "form": form,
        # The results' fragment is remembered per address, unless the form has errors to show.
        "results_key": None if form.is_bound and not valid else request.get_full_path(),
        "searched": searched,
        "page_obj": page_obj,
        "result_count": lazy_value(lambda: page_obj().paginator.count),
        # A search counts up to selectors.COUNT_CAP ("more than 500"); the listing counts exactly.
        "result_count_exact": lazy_value(lambda: getattr(page_obj().paginator, "count_exact", True)),
        "view": view,
        "filters_wrong": any(form.errors.get(name) for name in folded),
        "markers": lazy_value(
            lambda: (
                _markers([r.homestay for r in page_obj().object_list], request) if view == VIEW_MAP else []
            )
        ),
        "stay_query": _stay_query(form) if searched else "",
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


def _month_from(request, today, chosen_day=None):
    """The calendar month: ?month=YYYY-MM, else the month of the chosen check-in, else this
    month; kept between this month and a year ahead."""
    this_month = today.replace(day=1)
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-"))
        chosen = date(year, month, 1)
    except (ValueError, TypeError):
        if chosen_day is None:
            return this_month
        chosen = chosen_day.replace(day=1)
    return min(max(chosen, this_month), _last_month(today))


def _weeks(days, month_start):
    """Calendar rows Monday..Sunday, padded with None outside the month."""
    cells = [None] * month_start.weekday() + list(days)
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


def _chosen_check_in(form):
    """The check-in asked for, even when the rest of the form is wrong: the calendar opens there."""
    try:
        return form.fields["check_in"].clean(form.data.get("check_in"))
    except ValidationError:
        return None


def homestay_context(page, request):
    """One choice of dates and guests per page, in the URL (?check_in=&check_out=&guests=&rooms=,
    the names of the homestay search): it prices every room, opens the calendar at its month and
    rides along when the calendar moves (?month=YYYY-MM)."""
    today = selectors.local_today()
    quote_form = QuoteForm(request.GET if "check_in" in request.GET else None)
    chosen_in = _chosen_check_in(quote_form) if quote_form.is_bound else None
    month_start, month_end = selectors.month_range(_month_from(request, today, chosen_in))

    stay = None
    if quote_form.is_bound and quote_form.is_valid():
        data = quote_form.cleaned_data
        stay = {
            "check_in": data["check_in"],
            "check_out": data["check_out"],
            "guests": data["guests"],
            "rooms": data.get("rooms") or 1,
            "nights": (data["check_out"] - data["check_in"]).days,
        }

    def rooms_and_quotes():
        # Inventory from the canonical room types, texts from this page's own (translated) rows.
        calendars = selectors.room_calendars(
            page,
            month_start,
            month_end,
            stay=(stay["check_in"], stay["check_out"]) if stay else None,
            rooms=stay["rooms"] if stay else 1,
        )
        rooms, quotes = [], []
        for calendar in calendars:
            rt = calendar.room_type
            room = {
                "room_type": rt,
                "display": calendar.display,
                "weeks": _weeks(calendar.days, month_start),
                "quote": None,
                "error": None,
                "sold_out": False,
            }
            if stay is not None:
                answer = calendar.quote
                if stay["guests"] > rt.max_guests * stay["rooms"]:
                    room["error"] = _("Sleeps at most %(n)d guests per room.") % {"n": rt.max_guests}
                elif isinstance(answer, ReservationError):
                    room["error"] = answer.message
                    # Full (not closed) on these nights: the visitor may join its waiting list.
                    room["sold_out"] = isinstance(answer, SoldOut)
                else:
                    room["quote"] = answer
                quotes.append({"room": room, "quote": room["quote"], "error": room["error"]})
            rooms.append(room)
        return rooms, quotes

    # The rooms and their calendars are read and rendered only when the page's fragment that
    # shows them is not remembered ({% showingcache %}: a booking, closure or price change makes
    # it a miss); so are the texts, photos and map editors change ({% contentcache %}).
    built = lazy_value(rooms_and_quotes)
    prev_month = (month_start - timedelta(days=1)).replace(day=1)
    return {
        "rooms": lazy_value(lambda: built()[0]),
        "stay": stay,
        "month_start": month_start,
        "prev_month": prev_month if prev_month >= today.replace(day=1) else None,
        "next_month": month_end if month_start < _last_month(today) else None,
        # The month links keep the dates and guests; the stay form keeps the month.
        "today": today,
        "weekday_names": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        "quote_form": quote_form,
        # The stay form's fragment is remembered per address, unless the form has errors to show:
        # then it renders live (the rooms' fragment below is remembered either way).
        "stay_form_key": None if quote_form.is_bound and stay is None else request.get_full_path(),
        "quotes": lazy_value(lambda: built()[1]),
        "amenities": lazy_value(lambda: list(page.amenities.all())),
        "gallery": lazy_value(lambda: list(page.gallery_images.select_related("image"))),
        "show_contact": lazy_value(lambda: selectors.guest_has_confirmed_stay(request.user, page)),
        "markers": lazy_value(lambda: _markers([page], request)),
        # A translated page links the village chosen in Chinese: its name in the page's language.
        "village_shown": lazy_value(lambda: localize_villages([page], page.locale_id)[0].village_shown),
    }


def _last_month(today):
    """The furthest month the calendar shows."""
    last = today.replace(day=1)
    for _i in range(CALENDAR_MONTHS_AHEAD):
        last = (last + timedelta(days=32)).replace(day=1)
    return last


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
