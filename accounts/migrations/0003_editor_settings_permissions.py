"""Tourism office editors change the site settings (footer, contacts). A separate step from
0002 because the settings models belong to the home app."""

from django.db import migrations

EDITORS = "Tourism office editors"
# (app_label, model_name) of site settings editors may change; missing ones are skipped.
SETTINGS_MODELS = [("home", "sitefootersettings")]


def grant_settings(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    for app_label, model_name in SETTINGS_MODELS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model_name)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"change_{model_name}",
            defaults={"name": f"Can change {model._meta.verbose_name_raw}"},
        )
        editors.permissions.add(permission)


def revoke_settings(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.filter(name=EDITORS).first()
    if editors:
        for app_label, model_name in SETTINGS_MODELS:
            editors.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename=f"change_{model_name}"
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("home", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant_settings, revoke_settings)]
