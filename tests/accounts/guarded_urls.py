"""A stand-in for checkout: one view behind verified_email_required, plus allauth's pages."""

from django.http import HttpResponse
from django.urls import include, path

from accounts.decorators import verified_email_required


@verified_email_required
def checkout(request):
    return HttpResponse("booked")


urlpatterns = [
    path("checkout/", checkout),
    path("accounts/", include("allauth.urls")),
]
