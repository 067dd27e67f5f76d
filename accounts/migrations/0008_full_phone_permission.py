"""Phone numbers are shown masked (PIPL) except to those with ``accounts.view_full_phone``: the
tourism office (accounts.roles.FULL_PHONE_ROLES), who call visitors about refunds and call-offs."""

from django.db import migrations

# accounts.roles.FULL_PHONE_ROLES when this was written (a migration keeps its own copy).
FULL_PHONE_ROLES = ["Tourism office editors"]


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="user")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="view_full_phone",
        defaults={"name": "Can see phone numbers in full"},
    )
    for name in FULL_PHONE_ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="accounts", codename="view_full_phone").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_app_tokens"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="user",
            options={
                "ordering": ["email"],
                "permissions": [("view_full_phone", "Can see phone numbers in full")],
                "verbose_name": "user",
                "verbose_name_plural": "users",
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
