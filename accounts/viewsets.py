from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.users.views.users import IndexView as WagtailUserIndexView
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .forms import AdminUserCreationForm, AdminUserEditForm
from .privacy import shown_phone


class UserIndexView(WagtailUserIndexView):
    @cached_property
    def search_fields(self):
        # Staff find an account signed up by mobile number by its number ("139 0000" or "+86139...").
        fields = super().search_fields
        return None if fields is None else fields | {"display_name", "phone_number", "phone"}

    @cached_property
    def columns(self):
        # An account signed up by phone has no username (e-mail): its number, masked unless the
        # viewer may see numbers in full (accounts.privacy), next to it.
        columns = list(super().columns)
        phone = Column(
            "phone_number",
            label=_("Mobile number"),
            accessor=lambda user: shown_phone(user.phone_number, self.request.user),
            width="15%",
        )
        columns.insert(3, phone)
        return columns


class UserViewSet(WagtailUserViewSet):
    index_view_class = UserIndexView

    def get_form_class(self, for_update=False):
        return AdminUserEditForm if for_update else AdminUserCreationForm
