"""Pages of the waiting list: join (from a sold-out item), the offer (from its e-mail), leave.
Thin: ``orders.waitlist`` decides."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import verified_email_required
from accounts.services import UnverifiedEmail

from . import basket as basket_service
from . import waitlist
from .exceptions import ReservationError
from .lines import LineInvalid, get_line_kind

MAX_QUANTITY = 50


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(label=gettext_lazy("Number wanted"), min_value=1, max_value=MAX_QUANTITY)


def _line_data(source):
    """The line a sold-out item's "Join the waiting list" link (or the join form) carries: the
    kind and the fields that kind reads, as its basket form posts them."""
    kind = source.get("kind")
    if kind not in waitlist.WAITLIST_KINDS:
        raise Http404(_("There is no waiting list for this kind of item."))
    fields = get_line_kind(kind).input_fields
    data = {"kind": kind}
    for name in fields:
        values = source.getlist(name)
        if values:
            # Lists (a tour's children's ages) come as repeated fields; the rest as one value.
            data[name] = values[0] if fields[name] in (str, int) else values
    return data


@never_cache
@require_http_methods(["GET", "POST"])
@verified_email_required
def join_page(request):
    data = _line_data(request.POST if request.method == "POST" else request.GET)
    quantity_field = waitlist.QUANTITY_FIELDS[data["kind"]]
    initial = {"quantity": data.get(quantity_field) or 1}
    form = QuantityForm(request.POST or None, initial=initial)
    status, error = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            entry = waitlist.join(
                request.user,
                data,
                quantity=form.cleaned_data["quantity"],
                language=translation.get_language() or "",
            )
        except UnverifiedEmail as exc:
            error, status = exc.message, 403
        except LineInvalid as exc:
            error, status = " ".join(exc.errors.values()), 422
        except waitlist.WaitlistError as exc:
            error, status = exc.message, exc.status
        else:
            (entry,) = waitlist.with_positions(type(entry).objects.filter(pk=entry.pk))
            messages.success(
                request,
                _("You are on the waiting list, number %(n)d in line. We will e-mail you when a place frees.")
                % {"n": entry.position},
            )
            return redirect("orders_trips")
    elif request.method == "POST":
        status = 422
    wish = waitlist.wish_of(data)
    return render(
        request,
        "orders/waitlist_join.html",
        {
            "form": form,
            "wish": wish,
            "data": data,
            "quantity_field": quantity_field,
            "error": error,
            "hold_hours": int(waitlist.offer_hold().total_seconds() // 3600),
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def offer_page(request, entry_id):
    """The link of the offer's e-mail: what is held, until when; put it in the basket."""
    try:
        entry = waitlist.live_offer(request.user, entry_id)
    except waitlist.EntryNotFound:
        messages.info(request, _("This offer has ended or was already used."))
        return redirect("orders_trips")
    if request.method == "POST":
        basket = basket_service.get_basket(request, create=True)
        try:
            waitlist.put_in_basket(entry, basket)
        except (LineInvalid, ReservationError) as exc:
            messages.error(request, basket_service.refusal(exc).messages[0])
        else:
            messages.success(request, _("Added to your basket. Book it before the offer ends."))
            return redirect("orders_basket")
    waitlist.describe([entry])
    return render(request, "orders/waitlist_offer.html", {"entry": entry})


@require_POST
@login_required
def leave_page(request, entry_id):
    try:
        waitlist.leave(request.user, entry_id)
    except waitlist.EntryNotFound as exc:
        raise Http404(exc.message) from None
    messages.success(request, _("You have left the waiting list."))
    return redirect("orders_trips")
