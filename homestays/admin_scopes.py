"""Admin viewsets for rows that belong to a host's room types (rates and closures, calendar sync):
a host sees and edits only those of their own homestays."""

from django.core.exceptions import PermissionDenied
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Locale
from wagtail.permission_policies import ModelPermissionPolicy

from . import selectors
from .models import RoomType


class RateRulePermissionPolicy(ModelPermissionPolicy):
    """Model permissions, and on top: a host reaches only the rules of their own room types."""

    def _scope(self, user):
        # Default-locale rows only: they carry the inventory; translations share them.
        return RoomType.objects.filter(
            page__in=selectors.manageable_homestays(user), locale=Locale.get_default()
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return self.model.objects.filter(room_type__in=self._scope(user))

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and self._scope(user).filter(pk=instance.room_type_id).exists()
        )

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)


class ScopedObjectMixin:
    """Edit/delete/history only objects the policy lets this user change; choices scoped too.

    ``get_object`` passes its arguments through as given: Wagtail's generic views disagree on its
    signature (``get_object(queryset=None)`` on edit and delete, ``get_object()`` on history and
    usage), and one fixed signature here broke the views of the other kind."""

    instance_action = "change"

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.instance_action, obj
        ):
            raise PermissionDenied
        return obj

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if "room_type" in form.fields:
            form.fields["room_type"].queryset = self.permission_policy._scope(
                self.request.user
            ).select_related("page")
        return form


class HostScopedViewSet(ModelViewSet):
    """An admin viewset for rows that belong to a host's room types: the listing, the forms'
    room type choices and every object view (edit, delete, history, usage) are limited to what
    the permission policy allows; ``after_save`` runs after an add or edit."""

    copy_view_enabled = False
    inspect_view_enabled = False

    def after_save(self, instance):
        """Hook for subclasses (calendar sync queues a fetch)."""

    @property
    def index_view_class(self):
        base = super().index_view_class

        class IndexView(base):
            def get_base_queryset(self):
                return self.permission_policy.instances_user_has_any_permission_for(
                    self.request.user, ["change", "delete", "view"]
                ).select_related("room_type__page")

        return IndexView

    def _saving_view(self, base):
        viewset = self

        class SavingView(ScopedObjectMixin, base):
            def save_instance(self):
                instance = super().save_instance()
                viewset.after_save(instance)
                return instance

        return SavingView

    @property
    def add_view_class(self):
        return self._saving_view(super().add_view_class)

    @property
    def edit_view_class(self):
        return self._saving_view(super().edit_view_class)

    @property
    def delete_view_class(self):
        base = super().delete_view_class

        class DeleteView(ScopedObjectMixin, base):
            instance_action = "delete"

        return DeleteView

    @property
    def history_view_class(self):
        base = super().history_view_class

        class HistoryView(ScopedObjectMixin, base):
            pass

        return HistoryView

    @property
    def usage_view_class(self):
        base = super().usage_view_class

        class UsageView(ScopedObjectMixin, base):
            pass

        return UsageView
