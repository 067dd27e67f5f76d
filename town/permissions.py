"""Admin permission policies shared by the apps' viewsets."""

from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy


class NoAddPermissionPolicy(ModelPermissionPolicy):
    """Rows that come from visitors (problem reports, group enquiries, reviews): staff answer,
    moderate or edit them, but never type one in, whatever their model permissions say."""

    def user_has_permission(self, user, action):
        if action == "add":
            return False
        return super().user_has_permission(user, action)


def refuse_adding(model):
    register_permission_policy(model, NoAddPermissionPolicy(model), exact_class=True)
