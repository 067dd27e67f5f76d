"""The tourism office (editors) sets commission rates, records payouts and reads every seller's
statement (the statements' admin views ask for the payout "view" permission). Deleting a payout
stays with superusers: a payout is a record of money that left, corrected by a new one."""

from django.db import migrations

GROUPS = ("Tourism office editors",)
CODENAMES = {
    "commissionrate": {
        "view_commissionrate": "Can view commission rate",
        "add_commissionrate": "Can add commission rate",
        "change_commissionrate": "Can change commission rate",
        "delete_commissionrate": "Can delete commission rate",
    },
    "payout": {
        "view_payout": "Can view payout",
        "add_payout": "Can add payout",
        "change_payout": "Can change payout",
    },
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = []
    for model, codenames in CODENAMES.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="statements", model=model)
        permissions += [
            Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": name}
            )[0]
            for codename, name in codenames.items()
        ]
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [codename for names in CODENAMES.values() for codename in names]
    permissions = Permission.objects.filter(content_type__app_label="statements", codename__in=codenames)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0001_commission_rates_payouts"),
        ("accounts", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
