from urllib.parse import urlsplit

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import NoticeChannelsForm, PhoneCodeRequestForm, ProfileForm
from .services import set_notice_channels, update_profile


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
    return _render_profile(request, form=form)


@require_POST
@login_required
def notice_channels(request):
    """The account page's "How we reach you" form, posted on its own."""
    notice_form = NoticeChannelsForm(request.POST, user=request.user)
    if not notice_form.is_valid():
        return _render_profile(request, notice_form=notice_form, status=422)
    set_notice_channels(
        request.user,
        sms=notice_form.cleaned_data["notify_by_sms"],
        email=notice_form.cleaned_data["notify_by_email"],
    )
    messages.success(request, _("We will reach you the way you chose."))
    return redirect("account_profile")


def _render_profile(request, *, form=None, notice_form=None, status=200):
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form or ProfileForm(instance=request.user),
            "notice_form": notice_form or NoticeChannelsForm(user=request.user),
            "email_verified": request.user.has_verified_email,
        },
        status=status,
    )
