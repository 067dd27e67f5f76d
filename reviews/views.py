"""The visitor's side: the review form of one order line (from "my trips"), the abuse report
button under a published review; the host's or farmer's reply. Rules live in ``rules`` and
``services``; limits in ``limits``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from orders.models import OrderLine

from . import limits, rules, selectors, services
from .forms import ReplyForm, ReviewForm
from .models import Review, ReviewStatus


def _back(request):
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    return target


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def write_review(request, line_id):
    line = OrderLine.objects.select_related("order").filter(pk=line_id, order__user=request.user).first()
    if line is None:
        raise Http404
    eligibility = rules.eligibility(line, request.user)
    if not eligibility.allowed:
        return render(
            request, "reviews/write.html", {"line": line, "refused": eligibility.message}, status=403
        )
    if request.method == "POST":
        form = ReviewForm(request.POST, request.FILES, uploader=request.user)
    else:
        form = ReviewForm(uploader=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.write_review(
                line_id=line.pk,
                user=request.user,
                rating=form.cleaned_data["rating"],
                text=form.cleaned_data["text"],
                photos=form.cleaned_data["photos"],
            )
        except (rules.ReviewRefused, services.ReviewError) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Thank you! Your review will be published once the tourism office has read it.")
            )
            return redirect(reverse("orders_trips") + f"#line-{line.pk}")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "reviews/write.html", {"line": line, "form": form, "until": eligibility.until}, status=status
    )


@require_POST
def report_review(request, review_id):
    review = get_object_or_404(Review, pk=review_id, status=ReviewStatus.PUBLISHED)
    if not limits.may_report(request):
        messages.error(request, limits.TOO_MANY_REPORTS)
    else:
        services.report_review(review, reason=request.POST.get("reason", ""))
        messages.success(request, _("Thank you. The tourism office will look at this review again."))
    return redirect(_back(request))


@login_required
@require_POST
def reply_to_review(request, review_id):
    review = get_object_or_404(
        Review.objects.select_related("homestay", "experience", "product__producer"), pk=review_id
    )
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a reply first."))
        return redirect(_back(request))
    try:
        services.reply_to_review(review, text=form.cleaned_data["text"], by=request.user)
    except (rules.ReviewRefused, services.ReviewError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your reply is published under the review."))
    return redirect(_back(request))


@never_cache
@login_required
def reviews_for_me(request):
    """The host's or farmer's page: the published reviews of what they offer, each answered once."""
    return render(
        request,
        "reviews/for_me.html",
        {"reviews": selectors.reviews_to_answer(request.user), "form": ReplyForm()},
    )
