"""The tourism office (editors) reads the town reports; superusers read them anyway."""

from django.db import migrations

EDITORS = "Tourism office editors"


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    content_type, _ = ContentType.objects.get_or_create(app_label="reports", model="townreport")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="view_townreport", defaults={"name": "Can view town report"}
    )
    editors.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="reports", codename="view_townreport").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("accounts", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
