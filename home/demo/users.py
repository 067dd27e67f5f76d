"""Demo users: one per role plus an admin, e-mails verified, one shared password; and a visitor
who signs in with a mobile number and an SMS code only."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from town.demo.base import DEMO_PASSWORD

from .content import PHONE_USERS, USERS


def load_users(ctx):
    User = get_user_model()
    for email, display_name, role, is_staff, is_superuser in USERS:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(email=email)
        user.display_name = display_name
        user.is_staff = is_staff
        user.is_superuser = is_superuser
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        if role:
            # The groups come from accounts' data migration; create one only if it is missing.
            group, _ = Group.objects.get_or_create(name=role)
            user.groups.add(group)
        EmailAddress.objects.filter(user=user).exclude(email__iexact=email).update(primary=False)
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        ctx.users.append((email, DEMO_PASSWORD, role or "superuser"))
    for phone, display_name, role in PHONE_USERS:
        user = User.objects.filter(phone_number=phone).first() or User(phone_number=phone)
        user.display_name = display_name
        user.phone = phone
        user.phone_verified = True
        user.is_active = True
        user.set_unusable_password()  # the code is the way in
        user.save()
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
        ctx.users.append((phone, "SMS code", role))
    ctx.log(f"  users: {len(USERS) + len(PHONE_USERS)}")
