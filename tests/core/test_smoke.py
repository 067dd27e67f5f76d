import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_user_logs_in_with_email_and_has_no_username():
    user = get_user_model().objects.create_user("Li.Hua@Example.com", "s3cret-pass-123")
    assert user.email == "li.hua@example.com"
    assert not hasattr(user, "username") or user.username is None
    assert user.check_password("s3cret-pass-123")


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
