"""Our account pages; included at /accounts/ before allauth's, inside the language prefixes."""

from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="account_login"),
    path("profile/", views.profile, name="account_profile"),
    path("profile/my-data.json", views.download_data, name="account_download_data"),
    path("profile/delete/", views.delete_account, name="account_delete"),
]
