from django.utils.functional import cached_property
from wagtail.users.views.users import IndexView as WagtailUserIndexView
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .forms import AdminUserCreationForm, AdminUserEditForm


class UserIndexView(WagtailUserIndexView):
    @cached_property
    def search_fields(self):
        # Staff find an account signed up by mobile number by its number ("139 0000" or "+86139...").
        fields = super().search_fields
        return None if fields is None else fields | {"display_name", "phone_number", "phone"}


class UserViewSet(WagtailUserViewSet):
    index_view_class = UserIndexView

    def get_form_class(self, for_update=False):
        return AdminUserEditForm if for_update else AdminUserCreationForm
