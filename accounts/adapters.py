from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.models import Group

from .roles import VISITORS


class AccountAdapter(DefaultAccountAdapter):
    """Every new account is a visitor; other roles are given by staff."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            group, _ = Group.objects.get_or_create(name=VISITORS)
            user.groups.add(group)
        return user
