"""The town's roles, each a Django group. The permissions each group gets are set by the data
migrations of the apps that own the models (see accounts/migrations/0002_roles.py)."""

from django.utils.translation import gettext_lazy as _

VISITORS = "Visitors"
FARMERS = "Farmers"
HOSTS = "Hosts"
EDITORS = "Tourism office editors"
MODERATORS = "Moderators"

ROLE_LABELS = {
    VISITORS: _("Visitors"),
    FARMERS: _("Farmers"),
    HOSTS: _("Hosts"),
    EDITORS: _("Tourism office editors"),
    MODERATORS: _("Moderators"),
}

# Who sees phone numbers in full (accounts.privacy; granted by accounts/migrations/0008): the
# tourism office calls visitors about refunds, call-offs and changes. Hosts and farmers see the
# full number of the guest they serve, through the views, not by this permission.
FULL_PHONE_ROLES = (EDITORS,)


def user_in_group(user, name):
    if not user.is_authenticated:
        return False
    return user.groups.filter(name=name).exists()
