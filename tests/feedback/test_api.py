"""POST /api/v1/problem-reports: multipart with real photos → {ref, status_url}; bad input is a
422 naming the field, nothing stored; documented in the OpenAPI schema."""

import pytest

from accounts import tokens
from feedback.models import ProblemReport, ReportPhoto
from tests.factories.accounts import UserFactory

from .conftest import E164, form_data, photo, stored_files

pytestmark = pytest.mark.django_db
URL = "/api/v1/problem-reports"


def test_an_app_files_a_report_with_photos_and_gets_its_private_link(client, spot, settings):
    response = client.post(
        URL, form_data(spot, photos=[photo(), photo("b.webp", "WEBP", content_type="image/webp")])
    )
    assert response.status_code == 201, response.content
    body = response.json()
    report = ProblemReport.objects.get()
    assert body["ref"] == report.ref and body["status"] == "received"
    assert body["status_url"].endswith(f"/report-a-problem/{report.ref}/")
    assert report.phone == E164 and report.photos.count() == 2 and len(stored_files(settings)) == 2
    path = body["status_url"].split("://", 1)[-1]
    path = path[path.index("/") :]
    assert client.get(path).status_code == 200


def test_a_token_files_it_under_the_account(client, spot):
    visitor = UserFactory(email="app@example.com")
    token = tokens.issue_token(visitor, name="test")
    response = client.post(URL, form_data(spot, phone=""), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201
    assert ProblemReport.objects.get().user == visitor


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"text": ""}, "text", "required"),
        ({"phone": "hello"}, "phone", "invalid_phone"),
        ({"attraction": None}, "__all__", "place_required"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(client, spot, settings, change, field, code):
    response = client.post(URL, form_data(spot, photos=[photo()], **change), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert {"loc": ["form", field], "type": code} == {k: errors[0][k] for k in ("loc", "type")}
    assert errors[0]["msg"]
    assert not ProblemReport.objects.exists() and stored_files(settings) == []


def test_a_fake_or_oversized_photo_is_a_422(client, spot, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"GIF89a not really" * 40, content_type="image/jpeg")
    response = client.post(URL, form_data(spot, photos=[fake]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["form", "photos"]
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 2_000
    response = client.post(URL, form_data(spot, photos=[photo(size=(900, 700))]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422 and "at most" in response.json()["detail"][0]["msg"]
    response = client.post(URL, form_data(spot, photos=[photo(f"{n}.jpg") for n in range(5)]))
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "too_many_photos"
    assert not ProblemReport.objects.exists() and not ReportPhoto.objects.exists()
    assert stored_files(settings) == []


def test_too_many_reports_are_a_429(client, spot):
    for _ in range(5):
        assert client.post(URL, form_data(spot)).status_code == 201
    response = client.post(URL, form_data(spot))
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_reports"
    assert ProblemReport.objects.count() == 5


def test_a_session_without_its_csrf_token_is_refused(spot):
    from django.test import Client

    visitor = UserFactory(email="s@example.com")
    client = Client(enforce_csrf_checks=True)
    client.force_login(visitor)
    response = client.post(URL, form_data(spot))
    assert response.status_code == 403
    assert not ProblemReport.objects.exists()


def test_the_schema_documents_the_endpoint_and_its_errors(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][URL]["post"]
    assert set(operation["responses"]) >= {"201", "401", "403", "422", "429"}
    assert "multipart/form-data" in operation["requestBody"]["content"]
    properties = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert {"category", "text", "phone", "photos", "latitude", "longitude"} <= set(properties)
