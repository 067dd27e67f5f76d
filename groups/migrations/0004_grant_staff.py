"""The tourism office (editors) handles group enquiries and builds and sends their quotes."""

from django.db import migrations

GROUPS = ("Tourism office editors",)
CODENAMES = {
    "groupenquiry": {"view_groupenquiry": "Can view group enquiry", "change_groupenquiry": "Can change group enquiry"},
    "quote": {
        "view_quote": "Can view quote",
        "add_quote": "Can add quote",
        "change_quote": "Can change quote",
        "delete_quote": "Can delete quote",
    },
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = []
    for model, codenames in CODENAMES.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="groups", model=model)
        permissions += [
            Permission.objects.get_or_create(content_type=content_type, codename=codename, defaults={"name": name})[0]
            for codename, name in codenames.items()
        ]
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [codename for names in CODENAMES.values() for codename in names]
    permissions = Permission.objects.filter(content_type__app_label="groups", codename__in=codenames)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0003_quotes"),
        ("accounts", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
