"""The town's roles as groups, with the permissions each role needs on Wagtail's own models.

Apps that add models later (homestays, products, site settings) grant their permissions to these
groups in their own migrations. Permissions may not exist yet on a fresh database (Django creates
them after all migrations ran), so the ones needed here are created on the spot, with the names
Django would give them.
"""

from django.db import migrations

VISITORS = "Visitors"
FARMERS = "Farmers"
HOSTS = "Hosts"
EDITORS = "Tourism office editors"
MODERATORS = "Moderators"

ADMIN_ACCESS = ("wagtailadmin", "admin", "access_admin")

# Group permissions (Django's group.permissions).
GROUP_PERMISSIONS = {
    VISITORS: [],
    # Their product permissions come with the products app (a later issue).
    FARMERS: [],
    # Page rights on their own homestay are given per homestay by the homestays app.
    HOSTS: [ADMIN_ACCESS],
    EDITORS: [
        ADMIN_ACCESS,
        ("wagtailredirects", "redirect", "add_redirect"),
        ("wagtailredirects", "redirect", "change_redirect"),
        ("wagtailredirects", "redirect", "delete_redirect"),
    ],
    MODERATORS: [ADMIN_ACCESS],
}

# Page permissions on the whole tree (GroupPagePermission on the root page).
PAGE_PERMISSIONS = {
    EDITORS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    MODERATORS: ["change_page", "publish_page", "lock_page", "unlock_page"],
}

# Image and document permissions on the root collection (Wagtail checks these, not group perms).
# Hosts may upload and choose images; the ownership policy lets them edit only their own uploads,
# so "change" on the root collection (everyone's images) is deliberately not given.
COLLECTION_PERMISSIONS = {
    HOSTS: [("wagtailimages", "image", "add_image"), ("wagtailimages", "image", "choose_image")],
    EDITORS: [
        (app, model, f"{action}_{model}")
        for app, model in (("wagtailimages", "image"), ("wagtaildocs", "document"))
        for action in ("add", "change", "delete", "choose")
    ],
}


def get_permission(apps, app_label, model_name, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model_name)
    existing = Permission.objects.filter(content_type=content_type, codename=codename).first()
    if existing:
        return existing
    model = apps.get_model(app_label, model_name)
    names = dict(model._meta.permissions)
    for action in model._meta.default_permissions:
        names.setdefault(f"{action}_{model._meta.model_name}", f"Can {action} {model._meta.verbose_name_raw}")
    return Permission.objects.create(content_type=content_type, codename=codename, name=names[codename])


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    root_page = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()

    # Wagtail's initial data made an "Editors" group; ours is "Tourism office editors".
    Group.objects.filter(name="Editors", user__isnull=True).delete()

    for name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        # Wagtail's initial "Moderators" group had wider rights: the role is exactly what is listed.
        GroupPagePermission.objects.filter(group=group).delete()
        GroupCollectionPermission.objects.filter(group=group).delete()
        group.permissions.set([get_permission(apps, *perm) for perm in perms])

        if root_page:
            for codename in PAGE_PERMISSIONS.get(name, []):
                GroupPagePermission.objects.create(
                    group=group,
                    page=root_page,
                    permission=get_permission(apps, "wagtailcore", "page", codename),
                )
        if root_collection:
            for perm in COLLECTION_PERMISSIONS.get(name, []):
                GroupCollectionPermission.objects.create(
                    group=group, collection=root_collection, permission=get_permission(apps, *perm)
                )


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[VISITORS, FARMERS, HOSTS, EDITORS], user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
