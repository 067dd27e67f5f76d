"""The Wagtail admin's user screens work with our e-mail-only user."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import HOSTS
from tests.factories.accounts import SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(SuperuserFactory())
    return client


def test_add_user_form_shows_email_and_display_name_but_no_username(admin_client):
    response = admin_client.get("/admin/users/new/")
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.fields
    assert "display_name" in form.fields
    assert "username" not in form.fields


def test_superuser_adds_a_host_with_email_only(admin_client):
    hosts = Group.objects.get(name=HOSTS)
    response = admin_client.post(
        "/admin/users/new/",
        {
            "email": "wang.host@example.com",
            "first_name": "",
            "last_name": "",
            "display_name": "王阿姨",
            "phone": "138 0013 8000",
            "password1": "Shan-Shui-Jia-2026",
            "password2": "Shan-Shui-Jia-2026",
            "groups": [hosts.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    user = get_user_model().objects.get(email="wang.host@example.com")
    assert user.display_name == "王阿姨"
    assert user.phone == "13800138000"
    assert list(user.groups.all()) == [hosts]
    assert user.check_password("Shan-Shui-Jia-2026")


def test_superuser_edits_a_user_display_name(admin_client):
    user = UserFactory(email="edit.me@example.com", display_name="旧名")
    response = admin_client.post(
        f"/admin/users/edit/{user.pk}/",
        {
            "email": "edit.me@example.com",
            "first_name": "",
            "last_name": "",
            "display_name": "新名",
            "phone": "",
            "password1": "",
            "password2": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    user.refresh_from_db()
    assert user.display_name == "新名"


def test_staff_find_an_account_by_its_mobile_number(admin_client):
    UserFactory(email=None, phone_number="+8613912345678", phone_verified=True, display_name="王芳")
    UserFactory(email="someone@example.com", display_name="李雷")
    page = admin_client.get("/admin/users/", {"q": "13912345678"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "王芳" in body and "李雷" not in body
