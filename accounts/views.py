from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import ProfileForm
from .services import update_profile


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
