"""The live sessions' pages: the index, a session (made for a phone), its one-tap add to basket,
and the host's scheduling and pinning pages. Thin: ``services`` and ``selectors`` decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orders.views import add_to_basket
from products.models import ProducerStatus
from products.producers import producer_for
from town.page_cache import stock_version

from . import selectors, services
from .forms import PinForm, SessionForm
from .inventory import LIVE
from .models import LiveSession, PinnedProduct, Status


def session_index(request):
    return render(request, "live/index.html", {"groups": selectors.session_index()})


def session_page(request, pk):
    # Read before the session: the pins' rendered list is remembered under it, and a sale
    # between the two reads then makes the next request a miss, never a stale hit.
    pins_stock = stock_version(LIVE)
    session = selectors.session_for_page(pk, include_unapproved=_may_manage_any(request.user))
    if session is None:
        raise Http404(_("This live session does not exist."))
    return render(
        request,
        "live/session.html",
        {"session": session, "may_manage": _may_manage(request.user, session), "pins_stock": pins_stock},
    )


def _delivery(product):
    """One tap: the simplest way the product can be had; shipping needs an address, so not that."""
    return "pickup" if "pickup" in product.delivery_options else None


@require_POST
def session_add(request, pk, pin_id):
    pin = get_object_or_404(
        PinnedProduct.objects.select_related("product", "session"), pk=pin_id, session_id=pk
    )
    delivery = _delivery(pin.product)
    if delivery is None:
        # Homestay or shipping need a day or an address: the product page asks for them.
        messages.info(request, _("Choose how to get it on the product page."))
        return redirect("live_session", pk=pk)
    refused = add_to_basket(
        request,
        {
            "kind": "product",
            "product_id": pin.product_id,
            "quantity": 1,
            "delivery": delivery,
            "live_pin": pin.pk,
        },
    )
    if refused is None:
        return redirect("orders_basket")
    session = selectors.session_detail(pk, include_unapproved=_may_manage_any(request.user))
    if session is None:
        raise Http404(_("This live session does not exist."))
    return render(
        request,
        "live/session.html",
        {"session": session, "refused": refused.messages, "refused_pin": pin.pk},
        status=refused.status,
    )


# --- the host's pages --------------------------------------------------------------------------


def _may_manage_any(user):
    return user.is_authenticated and user.has_perm("live.change_livesession")


def _may_manage(user, session):
    if _may_manage_any(user):
        return True
    producer = producer_for(user) if user.is_authenticated else None
    return (
        producer is not None
        and producer.status == ProducerStatus.VERIFIED
        and producer.pk == session.producer_id
    )


def _verified_farmer(user):
    producer = producer_for(user)
    if producer is None or producer.status != ProducerStatus.VERIFIED:
        raise PermissionDenied(_("Only verified farmers can schedule a live session."))
    return producer


@login_required
def my_sessions(request):
    """The farmer's own sessions, newest first, each with its pins page."""
    producer = _verified_farmer(request.user)
    sessions = list(LiveSession.objects.filter(producer=producer).order_by("-starts_at")[:50])
    for session in sessions:
        session.state = session.status()
    return render(request, "live/mine.html", {"sessions": sessions})


@login_required
def session_schedule(request):
    producer = _verified_farmer(request.user)
    form = SessionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                session = services.schedule_session(
                    producer=producer, by_user=request.user, approved=False, **form.cleaned_data
                )
            except ValidationError as exc:
                for field, errors in services.validation_message(exc).items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
                status = 422
            else:
                messages.success(
                    request, _("Scheduled. The tourism office will check it before it is shown.")
                )
                return redirect("live_pins", pk=session.pk)
        else:
            status = 422
    return render(request, "live/schedule.html", {"form": form}, status=status)


@login_required
def session_pins(request, pk):
    session = get_object_or_404(LiveSession.objects.select_related("producer"), pk=pk)
    if not _may_manage(request.user, session):
        raise PermissionDenied(_("This is not your session."))
    form = PinForm(request.POST or None, products=services.host_products(session))
    status = 200
    if request.method == "POST":
        if "unpin" in request.POST:
            pin = get_object_or_404(PinnedProduct, pk=request.POST.get("unpin") or 0, session=session)
            try:
                services.unpin(pin)
            except services.LiveError as exc:
                messages.error(request, exc.message)
            return redirect("live_pins", pk=pk)
        if form.is_valid():
            try:
                services.pin_product(
                    session,
                    form.cleaned_data["product"],
                    price_fen=form.price_fen,
                    stock=form.cleaned_data["stock"],
                )
            except services.LiveError as exc:
                field = {"price_fen": "price_yuan"}.get(exc.field, exc.field)
                form.add_error(field if field in form.fields else None, exc.message)
                status = 422
            else:
                messages.success(request, _("Pinned."))
                return redirect("live_pins", pk=pk)
        else:
            status = 422
    detail = selectors.session_detail(pk, include_unapproved=True)
    return render(
        request,
        "live/pins.html",
        {"session": detail, "form": form, "ended": detail.state == Status.ENDED},
        status=status,
    )
