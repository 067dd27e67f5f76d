from urllib.parse import urlsplit

from allauth.account import views as allauth_views
from allauth.core import ratelimit
from allauth.socialaccount import views as social_views
from allauth.socialaccount.internal.flows import signup as social_signup
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import personal_data, phone_login, social, tokens
from .forms import DeleteAccountForm, NoticeChannelsForm, PhoneCodeRequestForm, ProfileForm
from .models import AppToken
from .phones import display_phone
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
    wechat = social.wechat_configured(request)
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form or ProfileForm(instance=request.user),
            "notice_form": notice_form or NoticeChannelsForm(user=request.user),
            "email_verified": request.user.has_verified_email,
            "devices": tokens.live_tokens(request.user),
            "wechat": wechat,
            "wechat_accounts": (
                SocialAccount.objects.filter(user=request.user, provider=social.PROVIDER) if wechat else ()
            ),
        },
        status=status,
    )


@require_POST
@login_required
def sign_out_device(request, token_id):
    """Revoke one of the user's app tokens ("signed-in devices" on the account page)."""
    try:
        tokens.revoke_token(request.user, token_id)
    except AppToken.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The device was signed out."))
    return redirect("account_profile")


class SocialSignupView(social_views.SignupView):
    """allauth's last step of a first WeChat log-in, by mobile number: "Send code" texts a code
    (the limits of accounts.phone_codes apply); the code links WeChat to the number's account,
    or to one made for it, and logs in (social.sign_up_by_phone)."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["sending_code"] = self.sending_code
        return kwargs

    @property
    def sending_code(self):
        return self.request.method == "POST" and "send_code" in self.request.POST

    def form_valid(self, form):
        request, phone = self.request, form.cleaned_data["phone"]
        if self.sending_code:
            try:
                phone_login.send_login_code(request, phone)
            except phone_login.TooManyCodes as exc:
                form.add_error("phone", exc.message)
                return self.form_invalid(form, status=429)
            code_sent = {"phone": display_phone(phone), "minutes": settings.PHONE_CODE_TIMEOUT // 60}
            return self.render_to_response(self.get_context_data(form=form, code_sent=code_sent))
        try:
            _user, created = social.sign_up_by_phone(
                request, self.sociallogin, phone, form.cleaned_data["code"]
            )
        except phone_login.CodeRejected as exc:
            form.add_error("code", exc.message)
            return self.form_invalid(form)
        except phone_login.AccountInactive as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form, status=403)
        except social.AlreadyLinked as exc:
            social_signup.clear_pending_signup(request)
            messages.error(request, exc.message)
            return redirect("account_login")
        social_signup.clear_pending_signup(request)
        if created:
            return social_signup.complete_social_signup(request, self.sociallogin)
        return social.log_in_linked(request, self.sociallogin)

    def form_invalid(self, form, status=422):
        response = super().form_invalid(form)
        response.status_code = status
        return response


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
                    # The home page in the visitor's language: the log-out took the session, not
                    # the language the page was read in.
                    return redirect("wagtail_serve", "")
            else:
                status = 422
    return render(
        request,
        "accounts/delete_account.html",
        {"form": form, "blockers": blockers, "code_sent": code_sent},
        status=status,
    )
