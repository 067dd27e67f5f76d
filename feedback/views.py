"""The visitor's side: the report form (/report-a-problem/) and the report's private status page
(/report-a-problem/<ref>/). Rules live in ``services``; limits in ``limits``."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.phones import phone_or_none

from . import limits
from .forms import ProblemReportForm
from .selectors import report_for_visitor, town_bounds


def _form_page(request, form, status=200):
    # The map to tap the place on opens on the town (the villages' extent).
    context = {"form": form, "bounds": town_bounds()}
    return render(request, "feedback/report_form.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def report_problem(request):
    user = request.user if request.user.is_authenticated else None
    if request.method == "POST":
        phone = phone_or_none(request.POST.get("phone")) or ""
        # Checked before the photos are decoded, counted once the report is good to go.
        if not limits.may_submit(request, phone, dry_run=True):
            form = ProblemReportForm(user=user)
            messages.error(request, limits.TOO_MANY_REPORTS)
            return _form_page(request, form, status=429)
        form = ProblemReportForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            if not limits.may_submit(request, phone):
                messages.error(request, limits.TOO_MANY_REPORTS)
                return _form_page(request, form, status=429)
            report = form.submit(user=user, language=get_language())
            messages.success(
                request,
                _(
                    "Thank you: your report is with the tourism office. "
                    "Keep this page's address to see our reply."
                ),
            )
            return redirect(report.get_absolute_url())
        return _form_page(request, form, status=400)
    initial = {}
    place = request.GET.get("place", "")
    if place.isdigit():
        initial["attraction"] = int(place)
    form = ProblemReportForm(initial=initial, user=user)
    return _form_page(request, form)


@never_cache
@require_http_methods(["GET"])
def report_status(request, ref):
    if not limits.may_look_up(request):
        return render(request, "429.html", {"message": limits.TOO_MANY_LOOKUPS}, status=429)
    report = report_for_visitor(ref)
    if report is None:
        raise Http404
    return render(
        request,
        "feedback/report_status.html",
        {"report": report, "status_url": request.build_absolute_uri(report.get_absolute_url())},
    )
