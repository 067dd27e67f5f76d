"""Wagtail's users app with our user forms (e-mail login, display name, phone). It replaces
"wagtail.users" in INSTALLED_APPS, as Wagtail's "custom user models" guide describes."""

from wagtail.users.apps import WagtailUsersAppConfig


class TianyuanUsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "accounts.viewsets.UserViewSet"
