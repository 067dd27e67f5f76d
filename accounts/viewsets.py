from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.users.views.users import IndexView as WagtailUserIndexView
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .forms import AdminUserCreationForm, AdminUserEditForm
from .models import User
from .privacy import shown_phone


class UserIndexView(WagtailUserIndexView):
    @cached_property
    def search_fields(self):
        # Staff find an account signed up by mobile number by its number ("139 0000" or "+86139...").
        fields = super().search_fields
        return None if fields is None else fields | {"display_name", "phone_number", "phone"}

    @cached_property
    def columns(self):
        # An account signed up by phone has no username (its e-mail address): its log-in number
        # stands there instead, masked unless the viewer may see numbers in full (accounts.privacy).
        # In the same column, not one more: the table is already tight on a phone.
        columns = list(super().columns)
        for index, column in enumerate(columns):
            if column.name == User.USERNAME_FIELD:
                columns[index] = Column(
                    column.name,
                    accessor=lambda user: (
                        user.get_username() or shown_phone(user.phone_number, self.request.user)
                    ),
                    label=_("Log-in"),
                    sort_key=column.sort_key,
                    classname="username",
                    width="20%",
                )
        return columns


class UserViewSet(WagtailUserViewSet):
    index_view_class = UserIndexView

    def get_form_class(self, for_update=False):
        return AdminUserEditForm if for_update else AdminUserCreationForm
