import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from accounts import roles
from accounts.services import UnknownRole, assign_role
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def group_perms(name):
    group = Group.objects.get(name=name)
    perms = group.permissions.select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}" for p in perms}


def page_perms(name):
    return set(
        GroupPagePermission.objects.filter(group__name=name).values_list("permission__codename", flat=True)
    )


def collection_perms(name):
    return set(
        GroupCollectionPermission.objects.filter(group__name=name).values_list(
            "permission__codename", flat=True
        )
    )


def test_every_role_group_exists():
    names = set(Group.objects.values_list("name", flat=True))
    assert set(roles.ROLE_LABELS) <= names


def test_wagtail_default_editors_group_is_replaced_by_tourism_office_editors():
    assert not Group.objects.filter(name="Editors").exists()


def test_visitors_have_no_permissions_at_all():
    assert group_perms(roles.VISITORS) == set()
    assert page_perms(roles.VISITORS) == set()
    assert collection_perms(roles.VISITORS) == set()


def test_farmers_have_no_admin_access():
    assert "wagtailadmin.access_admin" not in group_perms(roles.FARMERS)


def test_hosts_have_exactly_admin_access_and_image_upload_and_choose():
    assert group_perms(roles.HOSTS) == {"wagtailadmin.access_admin"}
    assert page_perms(roles.HOSTS) == set()
    assert collection_perms(roles.HOSTS) == {"add_image", "choose_image"}


def test_hosts_cannot_manage_users_or_groups():
    host = UserFactory()
    assign_role(host, roles.HOSTS)
    for perm in ("add_user", "change_user", "delete_user", "view_user"):
        assert not host.has_perm(f"accounts.{perm}")
    for perm in ("add_group", "change_group", "delete_group", "view_group"):
        assert not host.has_perm(f"auth.{perm}")
    assert not any(p.startswith(("accounts.", "auth.")) for p in group_perms(roles.HOSTS))


def test_editors_edit_and_publish_the_whole_tree_and_manage_media():
    root = Page.objects.get(depth=1)
    assert "wagtailadmin.access_admin" in group_perms(roles.EDITORS)
    assert {"add_page", "change_page", "publish_page", "lock_page", "unlock_page"} <= (
        page_perms(roles.EDITORS)
    )
    pages = GroupPagePermission.objects.filter(group__name=roles.EDITORS).values_list("page", flat=True)
    assert set(pages) == {root.pk}
    assert {"add_image", "change_image", "choose_image", "add_document", "change_document"} <= (
        collection_perms(roles.EDITORS)
    )


def test_editors_can_change_the_site_footer_settings():
    assert "home.change_sitefootersettings" in group_perms(roles.EDITORS)


def test_moderators_change_and_publish_pages_but_do_not_add_them():
    assert "wagtailadmin.access_admin" in group_perms(roles.MODERATORS)
    perms = page_perms(roles.MODERATORS)
    assert {"change_page", "publish_page"} <= perms
    assert "add_page" not in perms


def test_editor_can_publish_any_page_through_wagtail_permissions():
    editor = UserFactory()
    assign_role(editor, roles.EDITORS)
    assert PagePermissionPolicy().user_has_permission(editor, "publish")


def test_host_cannot_publish_pages_through_wagtail_permissions():
    host = UserFactory()
    assign_role(host, roles.HOSTS)
    assert not PagePermissionPolicy().user_has_permission(host, "publish")


def test_assign_role_rejects_an_unknown_role():
    with pytest.raises(UnknownRole):
        assign_role(UserFactory(), "Wizards")
