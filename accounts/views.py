from urllib.parse import urlsplit

from allauth.account import views as allauth_views
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import personal_data, phone_login
from .forms import DeleteAccountForm, PhoneCodeRequestForm, ProfileForm
from .phones import display_phone
from .services import update_profile


class LoginView(allauth_views.LoginView):
    """allauth's log-in, which is the admin's too (WAGTAILADMIN_LOGIN_URL), with the mobile
    number's "send me a code" form first."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["phone_form"] = PhoneCodeRequestForm()
        return context

    def get_authenticated_redirect_url(self):
        url = super().get_authenticated_redirect_url()
        # Wagtail sends a signed-in user who may not use the admin back here with next=/admin/...
        # and its "no permission" message; sending them on to next would go round in circles.
        admin = urlsplit(url).path.startswith(reverse("wagtailadmin_home"))
        if admin and not self.request.user.has_perm("wagtailadmin.access_admin"):
            return resolve_url(settings.LOGIN_REDIRECT_URL)
        return url


def admin_login(request):
    """/admin/login/ checks no password: it sends everyone to the site's log-in, and back to the
    admin after it, so one form, one limit and one lock apply to an account at either door."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("wagtailadmin_home")
    return redirect_to_login(next_url, login_url=settings.WAGTAILADMIN_LOGIN_URL)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        update_profile(request.user, **form.cleaned_data)
        messages.success(request, _("Your details were saved."))
        return redirect("account_profile")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "email_verified": request.user.has_verified_email},
    )


# --- the person's own data (PIPL): download and delete (accounts.personal_data) ---------------


@never_cache
@require_GET
@login_required
def download_data(request):
    """Everything we keep about the logged-in person, as a JSON file."""
    data = personal_data.export_for(request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="tianyuan-my-data-{day}.json"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def delete_account(request):
    """What deleting does, then the password (or a texted code) to confirm it; POST only deletes."""
    user = request.user
    blockers = personal_data.deletion_blockers(user)
    form = DeleteAccountForm(None, user=user)
    status = 200
    code_sent = None
    action = request.POST.get("action")
    if request.method == "POST" and blockers:
        status = 409
    elif request.method == "POST" and action == "send_code" and form.by_code:
        try:
            phone_login.send_login_code(request, user.phone_number)
        except phone_login.TooManyCodes as exc:
            messages.error(request, exc.message)
            status = 429
        else:
            code_sent = display_phone(user.phone_number)
    elif request.method == "POST":
        try:
            # allauth's re-authentication limit: a stolen session cannot guess the password.
            ratelimit.consume(request, action="reauthenticate", user=user, raise_exception=True)
        except ratelimit.RateLimited:
            messages.error(request, _("Too many attempts. Please wait a few minutes and try again."))
            status = 429
        else:
            form = DeleteAccountForm(request.POST, user=user)
            if form.is_valid():
                try:
                    personal_data.delete_account(user, request=request)
                except personal_data.DeletionRefused as exc:
                    blockers, status = exc.reasons, 409
                else:
                    messages.success(
                        request, _("Your account was deleted. Goodbye, and thank you for visiting.")
                    )
                    return redirect("/")
            else:
                status = 422
    return render(
        request,
        "accounts/delete_account.html",
        {"form": form, "blockers": blockers, "code_sent": code_sent},
        status=status,
    )
