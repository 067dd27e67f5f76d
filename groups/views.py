"""The visitor's side of groups: the enquiry form (/groups/enquiry/, no account needed) and its
thank-you page, a quote's private page (/groups/quote/<token>/) where the organiser also uploads
the roster, and the roster template (/groups/roster-template.xlsx and .csv). Rules live in
``forms``, ``rosters`` and ``services``; limits in ``limits``."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import phone_codes
from accounts.phone_login import send_login_code
from accounts.phones import display_phone, phone_or_none
from orders.reservations import local_today

from . import limits, rosters, selectors, services
from .forms import GroupEnquiryForm, RosterUploadForm
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
    """The quote's page. It takes three posts: the roster form (a file, marked ``roster``), deleting
    the roster (``clear_roster``), and otherwise the "Accept and pay the deposit" button
    (``services.accept_quote``): on to the order's page to pay, or the page again saying what is no
    longer available."""
    if not limits.may_look_up(request):
        return render(request, "429.html", {"message": limits.TOO_MANY_LOOKUPS}, status=429)
    found = selectors.quote_for_visitor(token)
    if found is None:
        raise Http404
    today = local_today()
    context, form, errors, status = {}, RosterUploadForm(), [], 200
    roster_post = request.method == "POST" and (
        "roster" in request.POST or "clear_roster" in request.POST or request.FILES
    )
    if roster_post:
        if not limits.may_upload_roster(request):
            errors, status = [rosters.RosterError(0, "", limits.TOO_MANY_UPLOADS)], 429
        elif "clear_roster" in request.POST:
            if services.clear_roster(found):
                messages.success(request, _("The roster has been deleted."))
            return _back_to_roster(found)
        else:
            form = RosterUploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    roster = services.upload_roster(found, form.cleaned_data["file"], today=today)
                except rosters.RosterRejected as exc:
                    errors, status = exc.errors, 400
                else:
                    count = roster.participants.count()
                    messages.success(
                        request,
                        ngettext(
                            "Roster received: %(n)d participant.",
                            "Roster received: %(n)d participants.",
                            count,
                        )
                        % {"n": count},
                    )
                    return _back_to_roster(found)
            else:
                errors = [rosters.RosterError(0, "", message) for message in form.errors.get("file", [])]
                status = 400
    elif request.method == "POST":
        try:
            result = services.accept_quote(found)
        except services.QuoteNotOpen as exc:
            context["refusal"], status = exc.message, 409
        else:
            if result.accepted:
                return redirect(result.order)
            context["unavailable"], status = result.unavailable, 409
        found = selectors.quote_for_visitor(token)
    context.update(
        {
            "quote": found,
            "enquiry": found.enquiry,
            "plan": selectors.quote_plan(found, today),
            "roster": selectors.roster_for_visitor(found),
            "roster_form": form,
            "roster_errors": errors,
            "roster_refusal": services.roster_refusal(found, today),
            "roster_limits": {"bytes": rosters.max_bytes(), "rows": rosters.max_rows()},
        }
    )
    response = render(request, "groups/quote.html", context, status=status)
    # The link is the key: never sent on to other sites as a referrer. "same-origin", not
    # "no-referrer": with no referrer at all the browser posts the page's forms with
    # "Origin: null", which Django's CSRF check refuses (403).
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _back_to_roster(found):
    return redirect(found.get_absolute_url() + "#roster")


@require_http_methods(["GET"])
def roster_template(request, fmt):
    """The empty roster to fill in: a header in Chinese and English and one example row (skipped
    when read back)."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    header, rows = rosters.template_rows()
    if fmt == "csv":
        content, content_type = rosters.csv_bytes(header, rows), "text/csv; charset=utf-8"
    else:
        content = rosters.xlsx_bytes(header, rows, title="roster", text_rows=rosters.TEMPLATE_TEXT_ROWS)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="roster-template.{fmt}"'
    return response
