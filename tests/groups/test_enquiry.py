"""Group enquiries: the form page and POST /api/v1/group-enquiries, with the contact's number
proven by a texted code; bad input is a 4xx naming the field and stores nothing."""

import json

import pytest

from groups.models import GroupEnquiry

from .conftest import E164, PHONE, make_programme

pytestmark = pytest.mark.django_db
API = "/api/v1/group-enquiries"
PAGE = "/groups/enquiry/"


def api_body(code, **change):
    body = {
        "organisation": "青溪镇中心小学",
        "type": "school",
        "start_date": "2027-05-12",
        "end_date": "2027-05-14",
        "pupils": 45,
        "adults": 2,
        "teachers": 4,
        "ages": "10–12",
        "wishes": "采茶课和红色文化馆",
        "budget_fen": 6000000,
        "contact_name": "王老师",
        "contact_phone": PHONE,
        "phone_code": code,
        "contact_email": "wang@school.example",
    }
    body.update(change)
    return body


def post(client, body):
    return client.post(API, json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def test_a_school_enquiry_with_a_proven_number_is_stored_and_answers_its_ref(client, now, code_for):
    response = post(client, api_body(code_for()))
    assert response.status_code == 201, response.content
    enquiry = GroupEnquiry.objects.get()
    assert response.json() == {"ref": enquiry.ref}
    assert enquiry.contact_phone == E164 and enquiry.phone_verified_at is not None
    assert (enquiry.pupils, enquiry.teachers, enquiry.adults, enquiry.days) == (45, 4, 2, 3)
    assert enquiry.budget_fen == 6000000 and enquiry.status == "new"


def test_a_used_code_does_not_prove_a_second_enquiry(client, now, code_for):
    code = code_for()
    assert post(client, api_body(code)).status_code == 201
    response = post(client, api_body(code, organisation="另一所学校"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "phone_code"]
    assert GroupEnquiry.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"start_date": "2027-03-01", "end_date": "2027-03-02"}, "start_date", "past"),
        ({"start_date": "2027-03-09"}, "start_date", "past"),  # today is too late as well
        ({"end_date": "2027-05-10"}, "end_date", "before_start"),
        ({"end_date": "2027-07-01"}, "end_date", "too_long"),
        ({"pupils": 0, "adults": 0, "teachers": 0}, "pupils", "no_people"),
        ({"teachers": 0}, "teachers", "no_teacher"),
        ({"pupils": -3}, "pupils", "min_value"),
        ({"contact_phone": "010 6552 9988"}, "contact_phone", "not_mobile"),
        ({"contact_phone": "hello"}, "contact_phone", "invalid_phone"),
        ({"type": "family"}, "type", "invalid_choice"),
        ({"organisation": ""}, "organisation", "required"),
        ({"phone_code": "000000"}, "phone_code", "code_wrong"),
        ({"budget_fen": 12345}, "budget_fen", "invalid"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(client, now, code_for, change, field, code):
    body = api_body(code_for(), **change)
    response = post(client, body)
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    assert {"loc": ["body", field], "type": code} in [{"loc": e["loc"], "type": e["type"]} for e in errors], (
        errors
    )
    assert all(error["msg"] for error in errors)
    assert not GroupEnquiry.objects.exists()


def test_a_mistake_elsewhere_leaves_the_code_usable(client, now, code_for):
    code = code_for()
    assert post(client, api_body(code, end_date="2027-05-01")).status_code == 422
    assert post(client, api_body(code)).status_code == 201


def test_a_type_error_is_a_422_too(client, now, code_for):
    response = post(client, api_body(code_for(), start_date="next May"))
    assert response.status_code == 422
    assert not GroupEnquiry.objects.exists()


def test_too_many_enquiries_from_one_number_are_refused(client, now, code_for, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "group_enquiry": "10/h/ip,2/h/key"}
    settings.PHONE_CODE_LIMITS = {**settings.PHONE_CODE_LIMITS, "number": [(100, 60)]}
    for _ in range(2):
        assert post(client, api_body(code_for())).status_code == 201
    response = post(client, api_body(code_for()))
    assert response.status_code == 429 and response.json()["code"] == "too_many_enquiries"
    assert GroupEnquiry.objects.count() == 2


# --- the page ----------------------------------------------------------------------------------


def page_data(code="", **change):
    data = {
        "organisation": "青溪镇中心小学",
        "type": "school",
        "start_date": "2027-05-12",
        "end_date": "2027-05-14",
        "pupils": "45",
        "teachers": "4",
        "adults": "0",
        "contact_name": "王老师",
        "contact_phone": PHONE,
        "code": code,
    }
    data.update(change)
    return data


def test_the_page_texts_a_code_then_stores_the_enquiry(
    client, now, sms_outbox, programme_index, django_capture_on_commit_callbacks
):
    programme = make_programme(programme_index, "tea")
    response = client.get(f"{PAGE}?programme={programme.pk}")
    assert response.status_code == 200
    assert response.context["form"].initial["programme"] == programme.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, page_data(send_code="1", programme=programme.pk))
    assert response.status_code == 200 and response.context["code_sent"]
    assert sms_outbox[-1].phone == E164
    assert not GroupEnquiry.objects.exists()
    code = sms_outbox[-1].params["code"]
    response = client.post(PAGE, page_data(code, programme=programme.pk))
    assert response.status_code == 302
    enquiry = GroupEnquiry.objects.get()
    assert enquiry.programme == programme and enquiry.phone_verified_at
    page = client.get(response["Location"])
    assert enquiry.ref in page.content.decode()


def test_the_page_without_a_code_says_so(client, now):
    response = client.post(PAGE, page_data(""), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    assert not GroupEnquiry.objects.exists()


def test_the_thank_you_page_is_only_the_senders(client, now):
    assert client.get("/groups/enquiry/sent/").status_code == 404
