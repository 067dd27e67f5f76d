"""The visitor's side of groups: the enquiry form (/groups/enquiry/, no account needed) and its
thank-you page, and a quote's private page (/groups/quote/<token>/). Rules live in ``forms`` and
``services``; limits in ``limits``."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import phone_codes
from accounts.phone_login import send_login_code
from accounts.phones import display_phone, phone_or_none
from orders.reservations import local_today

from . import limits, selectors, services
from .forms import GroupEnquiryForm
from .models import GroupEnquiry

TEMPLATE = "groups/enquiry_form.html"


@never_cache
@require_http_methods(["GET", "POST"])
def enquiry(request):
    if request.method != "POST":
        initial = {}
        programme = request.GET.get("programme", "")
        if programme.isdigit():
            initial["programme"] = int(programme)
        return render(request, TEMPLATE, {"form": GroupEnquiryForm(initial=initial)})
    if "send_code" in request.POST:
        return _send_code(request)
    phone = phone_or_none(request.POST.get("contact_phone")) or ""
    form = GroupEnquiryForm(request.POST)
    if not limits.may_enquire(request, phone, dry_run=True):
        return render(request, TEMPLATE, {"form": form, "limit": limits.TOO_MANY_ENQUIRIES}, status=429)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    limits.may_enquire(request, phone)
    enquiry = form.submit(language=get_language())
    # The thank-you page is the session's only: the reference is not a key to anything.
    request.session["groups_enquiry_sent"] = enquiry.ref
    return redirect(reverse("groups_enquiry_sent"))


def _send_code(request):
    """The "Send code" button: text a code to the number typed (accounts.phone_codes' limits)."""
    form = GroupEnquiryForm(request.POST, sending_code=True)
    status, code_sent = 400, None
    if form.is_valid():
        try:
            send_login_code(request, form.cleaned_data["contact_phone"])
        except phone_codes.TooManyCodes as exc:
            form.add_error("contact_phone", exc.message)
            status = 429
        else:
            status = 200
            code_sent = {
                "phone": display_phone(form.cleaned_data["contact_phone"]),
                "minutes": settings.PHONE_CODE_TIMEOUT // 60,
            }
    # Shown again unbound-looking but with what was typed, without errors of the other fields.
    shown = GroupEnquiryForm(initial={name: request.POST.get(name) for name in form.fields if name != "code"})
    if status != 200:
        shown = form
    return render(request, TEMPLATE, {"form": shown, "code_sent": code_sent}, status=status)


@never_cache
@require_http_methods(["GET"])
def enquiry_sent(request):
    ref = request.session.get("groups_enquiry_sent")
    enquiry = GroupEnquiry.objects.filter(ref=ref).select_related("programme").first() if ref else None
    if enquiry is None:
        raise Http404
    return render(request, "groups/enquiry_sent.html", {"enquiry": enquiry})


@never_cache
@require_http_methods(["GET", "POST"])
def quote(request, token):
    """The quote's page; its "Accept and pay the deposit" button posts here
    (``services.accept_quote``): on to the order's page to pay, or the page again saying what is no
    longer available."""
    if not limits.may_look_up(request):
        return render(request, "429.html", {"message": limits.TOO_MANY_LOOKUPS}, status=429)
    found = selectors.quote_for_visitor(token)
    if found is None:
        raise Http404
    context, status = {}, 200
    if request.method == "POST":
        try:
            result = services.accept_quote(found)
        except services.QuoteNotOpen as exc:
            context["refusal"], status = exc.message, 409
        else:
            if result.accepted:
                return redirect(result.order)
            context["unavailable"], status = result.unavailable, 409
        found = selectors.quote_for_visitor(token)
    plan = selectors.quote_plan(found, local_today())
    context.update({"quote": found, "enquiry": found.enquiry, "plan": plan})
    response = render(request, "groups/quote.html", context, status=status)
    # The link is the key: never sent on to other sites as a referrer.
    # "same-origin", not "no-referrer": with no referrer at all the browser posts the accept
    # button with "Origin: null", which Django's CSRF check refuses.
    response.headers["Referrer-Policy"] = "same-origin"
    return response
