"""The roster (花名册): the organiser uploads the participants from the quote's link as CSV (UTF-8,
UTF-8 with a BOM, GBK) or XLSX; every row is checked and every error listed with its row and
column, nothing is kept from a file with an error, and a good file replaces the last roster.
Numbers are sealed and masked as timed entry keeps them; staff export them for the insurer
(full with the permission, logged; masked without); they go a set number of days after the trip."""

import csv
import datetime
import io
from io import StringIO

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from PIL import Image
from wagtail.models import ModelLogEntry

from gates import idcards
from groups import retention, rosters, services
from groups.models import GroupEnquiry, Quote, QuoteStatus, Roster, RosterParticipant
from groups.tasks import purge_roster_ids_daily
from tests.factories.accounts import SuperuserFactory, UserFactory

from .conftest import E164, NOW

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

TODAY = NOW.date()  # 2027-03-09; the trip is 12-13 May 2027


def id_number(region, born, serial):
    first17 = f"{region}{born}{serial}"
    return first17 + idcards.check_digit(first17)


PUPIL_1 = id_number("110105", "20150304", "011")
PUPIL_2 = id_number("330106", "20141130", "022")
TEACHER = id_number("330106", "19850101", "033")
ADULT = id_number("110101", "19800615", "044")
HEADER = [
    "姓名 Name",
    "身份 Role",
    "证件类型 Document type",
    "证件号码 Document number",
    "出生日期 Date of birth",
    "手机号 Mobile",
]
GOOD_ROWS = [
    ["张小明", "学生", "身份证", PUPIL_1, "2015-03-04", ""],
    ["李小红", "pupil", "", PUPIL_2, "", ""],
    ["王老师", "教师", "身份证", TEACHER, "1985-01-01", "139 0000 0002"],
    ["Anna Berg", "adult", "护照", "E12345678", "1980/6/15", ""],
]


@pytest.fixture
def quote(now):
    enquiry = GroupEnquiry.objects.create(
        organisation="青溪镇中心小学",
        kind="school",
        start_date=datetime.date(2027, 5, 12),
        end_date=datetime.date(2027, 5, 13),
        pupils=3,
        teachers=1,
        adults=1,
        contact_name="王老师",
        contact_phone=E164,
        phone_verified_at=now,
    )
    return Quote.objects.create(
        enquiry=enquiry, valid_until=datetime.date(2027, 3, 31), status=QuoteStatus.SENT, sent_at=now
    )


def csv_file(rows, *, encoding="utf-8", name="roster.csv", header=HEADER):
    out = StringIO()
    csv.writer(out).writerows([header, *rows])
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def xlsx_file(rows, *, header=HEADER, name="roster.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def upload(client, quote, file, *, language="en"):
    with translation.override(language):
        return client.post(quote.get_absolute_url(), {"file": file})


def errors_of(response, language="en"):
    with translation.override(language):
        return [(e.row, str(e.column), str(e.message)) for e in response.context["roster_errors"]]


@pytest.fixture(autouse=True)
def in_english():
    """Messages compared as written (the Chinese page has its own test)."""
    with translation.override("en"):
        yield


# --- reading real files -----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_roster_in_utf8_with_or_without_bom_or_gbk_is_taken_from_the_quote_page(
    client, quote, encoding
):
    response = upload(client, quote, csv_file(GOOD_ROWS, encoding=encoding))
    assert response.status_code == 302
    assert response["Location"] == quote.get_absolute_url() + "#roster"
    roster = Roster.objects.get(quote=quote)
    assert roster.uploaded_by is None and roster.uploaded_by_organiser
    people = list(roster.participants.all())
    assert [(p.row, p.name, p.role) for p in people] == [
        (2, "张小明", "pupil"),
        (3, "李小红", "pupil"),
        (4, "王老师", "teacher"),
        (5, "Anna Berg", "adult"),
    ]
    # The birth date comes from the ID card when the cell is empty; a passport's is as written.
    assert people[1].birth_date == datetime.date(2014, 11, 30)
    assert people[3].birth_date == datetime.date(1980, 6, 15)
    assert people[2].phone == "+8613900000002"


def test_numbers_are_stored_sealed_and_masked_never_in_the_clear(quote):
    services.upload_roster(quote, csv_file(GOOD_ROWS), today=TODAY)
    pupil = RosterParticipant.objects.get(name="张小明")
    assert pupil.document_masked == PUPIL_1[:4] + "*" * 10 + PUPIL_1[-4:]
    assert PUPIL_1 not in pupil.document_sealed
    assert idcards.unseal(pupil.document_sealed) == PUPIL_1


def test_an_xlsx_roster_made_with_openpyxl_is_read_with_its_date_cells(quote):
    rows = [
        [*row[:4], datetime.datetime(2015, 3, 4) if row[4] == "2015-03-04" else row[4], row[5]]
        for row in GOOD_ROWS
    ]
    roster = services.upload_roster(quote, xlsx_file(rows), today=TODAY)
    assert roster.participants.count() == 4
    assert roster.participants.get(name="张小明").birth_date == datetime.date(2015, 3, 4)


def test_an_id_number_excel_turned_into_a_number_is_refused_with_how_to_fix_it(quote):
    rows = [["张小明", "学生", "身份证", int(PUPIL_1[:15] + "000"), "", ""]]
    with pytest.raises(rosters.RosterRejected) as caught:
        services.upload_roster(quote, xlsx_file(rows), today=TODAY)
    (error,) = caught.value.errors
    assert (error.row, str(error.column)) == (2, "Document number")
    assert "format the column as text" in str(error.message)


def test_every_bad_row_is_listed_with_its_row_and_column_and_nothing_is_saved(client, quote):
    wrong_check = PUPIL_1[:17] + ("0" if PUPIL_1[17] != "0" else "1")
    rows = [
        ["张小明", "学生", "身份证", PUPIL_1, "2015-03-05", ""],  # 2: birth date not the ID's
        ["", "学生", "身份证", PUPIL_2, "", ""],  # 3: no name
        ["李小红", "学生", "身份证", wrong_check, "", ""],  # 4: bad check digit
        ["王老师", "校长", "身份证", TEACHER, "", ""],  # 5: unknown role
        ["赵老师", "教师", "身份证", PUPIL_1, "", ""],  # 6: the number of row 2 again
        ["小刚", "学生", "身份证", ADULT, "", "139 0000 0003"],  # 7: a pupil's phone
    ]
    response = upload(client, quote, csv_file(rows))
    assert response.status_code == 400
    assert errors_of(response) == [
        (2, "Date of birth", "The date of birth does not match the ID card number (which says 2015-03-04)."),
        (3, "Name", "The name is missing."),
        (
            4,
            "Document number",
            "This ID card number is not valid: please check it (its last character does not match).",
        ),
        (5, "Role", "Unknown role: write pupil (学生), teacher (教师) or adult (成人)."),
        (6, "Document number", "The same document number as row 2."),
        (7, "Mobile", "No mobile number for pupils, please: give the teachers' numbers."),
    ]
    assert not Roster.objects.exists() and not RosterParticipant.objects.exists()
    page = response.content.decode()
    assert "Row 4" in page and "nothing from this file was kept" in page.lower()


def test_errors_are_in_chinese_on_the_chinese_page(client, quote):
    response = upload(client, quote, csv_file([["", "学生", "", PUPIL_1, "", ""]]), language="zh-hans")
    assert response.status_code == 400
    assert errors_of(response, "zh-hans") == [(2, "姓名", "缺少姓名。")]
    assert "第 2 行" in response.content.decode()


def test_more_people_of_a_role_than_the_quote_is_for_is_refused(quote):
    extra = id_number("110105", "20150505", "055")
    rows = [*GOOD_ROWS, ["多一个", "学生", "", extra, "", ""], ["再一个", "学生", "", ADULT, "", ""]]
    with pytest.raises(rosters.RosterRejected) as caught:
        services.upload_roster(quote, csv_file(rows), today=TODAY)
    # Pupils 1, 2 and row 6 make three (the quote's number); row 7 is the fourth.
    assert [(e.row, str(e.column)) for e in caught.value.errors] == [(7, "Role")]
    assert "(3)" in str(caught.value.errors[0].message)


@override_settings(GROUPS_ROSTER_MAX_ROWS=3)
def test_a_file_longer_than_the_row_limit_is_refused(quote):
    with pytest.raises(rosters.RosterRejected) as caught:
        services.upload_roster(quote, csv_file(GOOD_ROWS), today=TODAY)
    assert [(e.row, str(e.message)) for e in caught.value.errors] == [
        (5, "Too many rows: a roster has at most 3 people.")
    ]


@override_settings(GROUPS_ROSTER_MAX_BYTES=100)
def test_a_file_larger_than_the_limit_is_refused(client, quote):
    response = upload(client, quote, csv_file(GOOD_ROWS))
    assert response.status_code == 400
    assert errors_of(response) == [(0, "", "The file is too large: at most 1 KB.")]


def test_a_picture_renamed_xlsx_is_refused_as_not_a_spreadsheet(client, quote):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, "PNG")
    response = upload(client, quote, SimpleUploadedFile("roster.xlsx", out.getvalue()))
    assert response.status_code == 400
    assert errors_of(response) == [
        (0, "", "This is not a readable XLSX file (perhaps another kind of file renamed .xlsx).")
    ]
    assert not Roster.objects.exists()


def test_a_zip_that_is_no_workbook_is_refused_too(quote):
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(rosters.RosterRejected) as caught:
        services.upload_roster(quote, SimpleUploadedFile("roster.xlsx", out.getvalue()), today=TODAY)
    assert "not a readable XLSX" in str(caught.value.errors[0].message)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf\r\n"])
def test_an_empty_file_is_refused(client, quote, content):
    response = upload(client, quote, SimpleUploadedFile("roster.csv", content))
    assert response.status_code == 400
    assert errors_of(response) == [(0, "", "The file is empty.")]


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(quote):
    with pytest.raises(rosters.RosterRejected) as caught:
        services.upload_roster(quote, SimpleUploadedFile("roster.pdf", b"%PDF-1.4"), today=TODAY)
    assert "CSV or XLSX" in str(caught.value.errors[0].message)


def test_a_sheet_without_the_header_row_is_refused(quote):
    with pytest.raises(rosters.RosterRejected) as caught:
        services.upload_roster(quote, csv_file(GOOD_ROWS, header=["a", "b", "c"]), today=TODAY)
    assert "header row was not found" in str(caught.value.errors[0].message)


def test_a_good_upload_replaces_the_roster_and_a_bad_one_keeps_it(quote):
    services.upload_roster(quote, csv_file(GOOD_ROWS), today=TODAY)
    services.upload_roster(quote, csv_file(GOOD_ROWS[:1]), today=TODAY)
    assert list(RosterParticipant.objects.values_list("name", flat=True)) == ["张小明"]
    with pytest.raises(rosters.RosterRejected):
        services.upload_roster(quote, csv_file([["", "学生", "", PUPIL_2, "", ""]]), today=TODAY)
    assert list(RosterParticipant.objects.values_list("name", flat=True)) == ["张小明"]


def test_the_roster_cannot_change_once_the_trip_is_over(quote):
    with pytest.raises(rosters.RosterRejected) as caught:
        services.upload_roster(quote, csv_file(GOOD_ROWS), today=datetime.date(2027, 5, 14))
    assert "trip is over" in str(caught.value.errors[0].message)


# --- the template -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_has_a_bilingual_header_and_an_example_row_that_is_skipped(client, quote, fmt):
    response = client.get(reverse("groups_roster_template", args=[fmt]))
    assert response.status_code == 200
    if fmt == "xlsx":
        rows = [
            list(r)
            for r in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        ]
    else:
        assert response.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["姓名 Name", "身份 Role", "证件类型 Document type", "证件号码 Document number"]
    assert rows[1][0].startswith("示例")
    # Filled in below the example, the template goes straight back in.
    filled = [*rows, ["张小明", "学生", "身份证", PUPIL_1, "", ""]]
    out = StringIO()
    csv.writer(out).writerows(filled)
    roster = services.upload_roster(quote, SimpleUploadedFile("t.csv", out.getvalue().encode()), today=TODAY)
    assert list(roster.participants.values_list("name", flat=True)) == ["张小明"]


# --- the page ---------------------------------------------------------------------------------


def test_the_page_shows_the_roster_masked(client, quote, django_assert_num_queries):
    services.upload_roster(quote, csv_file(GOOD_ROWS), today=TODAY)
    url = quote.get_absolute_url()
    client.get(url)
    client.get(url)  # warm the per-process and content caches
    # the quote with its enquiry and roster, its lines, the participants (the footer settings
    # and the site are cached): as many whatever the number of participants
    with django_assert_num_queries(3):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "4 participants, uploaded 2027-03-09 18:00." in page
    for number in (PUPIL_1, PUPIL_2, TEACHER, "E12345678"):
        assert number not in page
        assert idcards.mask(number) in page
    assert "139 0000 0002" not in page and "13900000002" not in page
    assert "2015-03-04" not in page


def test_the_organiser_can_delete_the_roster(client, quote):
    services.upload_roster(quote, csv_file(GOOD_ROWS), today=TODAY)
    response = client.post(quote.get_absolute_url(), {"clear_roster": "1"})
    assert response.status_code == 302
    assert not Roster.objects.exists() and not RosterParticipant.objects.exists()


# --- the staff export -------------------------------------------------------------------------


def export(client, quote, fmt="xlsx"):
    response = client.get(reverse("groups_roster_export", args=[quote.pk, fmt]))
    if response.status_code != 200:
        return response, None
    if fmt == "csv":
        return response, list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return response, [list(r) for r in sheet.iter_rows(values_only=True)]


def staff_with(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="groups", codename=codename))
    return user


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_staff_with_the_permission_export_full_numbers_and_it_is_logged(client, quote, fmt):
    services.upload_roster(quote, csv_file(GOOD_ROWS), today=TODAY)
    user = staff_with("view_quote", "export_full_ids")
    client.force_login(user)
    response, rows = export(client, quote, fmt)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert rows[0][3] == "证件号码 Document number"
    assert [row[3] for row in rows[1:]] == [PUPIL_1, PUPIL_2, TEACHER, "E12345678"]
    assert rows[3][5] == "+8613900000002"
    entry = ModelLogEntry.objects.get(action="groups.roster_export_full")
    assert (entry.user_id, entry.object_id, entry.data) == (user.pk, str(quote.pk), {"people": 4})


def test_staff_without_the_permission_export_masked_numbers_and_nothing_is_logged(client, quote):
    services.upload_roster(quote, csv_file(GOOD_ROWS), today=TODAY)
    client.force_login(staff_with("view_quote"))
    response, rows = export(client, quote)
    assert [row[3] for row in rows[1:]] == [idcards.mask(n) for n in (PUPIL_1, PUPIL_2, TEACHER, "E12345678")]
    assert rows[3][5] == "139****0002"
    assert not ModelLogEntry.objects.filter(action="groups.roster_export_full").exists()


def test_staff_who_may_not_see_quotes_get_no_export(client, quote):
    services.upload_roster(quote, csv_file(GOOD_ROWS), today=TODAY)
    client.force_login(staff_with())
    response, _rows = export(client, quote)
    # Wagtail answers a refusal in its admin by sending the user back to the dashboard.
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_the_quote_edit_page_shows_the_roster_panel_with_its_export_links(client, quote):
    services.upload_roster(quote, csv_file(GOOD_ROWS), today=TODAY)
    client.force_login(SuperuserFactory())
    response = client.get(reverse("groups_quotes:edit", args=[quote.pk]))
    assert response.status_code == 200
    assert reverse("groups_roster_export", args=[quote.pk, "xlsx"]) in response.content.decode()


# --- forgetting the numbers -------------------------------------------------------------------


def test_numbers_are_purged_the_retention_days_after_the_trip_and_the_masks_stay(quote, time_machine):
    services.upload_roster(quote, csv_file(GOOD_ROWS), today=TODAY)
    # The trip ends 13 May; 30 days later (12 June) the numbers are still kept.
    time_machine.move_to(datetime.datetime(2027, 6, 12, 12, tzinfo=datetime.UTC), tick=False)
    assert retention.purge_roster_ids().participants == 0
    assert all(p.document_sealed for p in RosterParticipant.objects.all())
    time_machine.move_to(datetime.datetime(2027, 6, 13, 12, tzinfo=datetime.UTC), tick=False)
    result = retention.purge_roster_ids()
    assert (result.cutoff, result.rosters, result.participants) == (datetime.date(2027, 5, 14), 1, 4)
    assert set(RosterParticipant.objects.values_list("document_sealed", "birth_date", "phone")) == {
        ("", None, "")
    }
    assert RosterParticipant.objects.get(name="张小明").document_masked == idcards.mask(PUPIL_1)
    assert Roster.objects.get().ids_purged_at is not None
    assert retention.purge_roster_ids().participants == 0  # again: nothing more


def test_the_purge_runs_as_a_command_and_as_a_task(quote, time_machine):
    services.upload_roster(quote, csv_file(GOOD_ROWS), today=TODAY)
    time_machine.move_to(datetime.datetime(2027, 7, 1, 12, tzinfo=datetime.UTC), tick=False)
    out = StringIO()
    call_command("groups_purge_roster_ids", stdout=out)
    assert "1 roster(s), 4 participant(s)" in out.getvalue()
    result = purge_roster_ids_daily.enqueue()
    assert result.return_value == {"cutoff": "2027-06-01", "rosters": 0, "participants": 0}


def test_an_export_after_the_purge_has_only_the_masks(client, quote, time_machine):
    services.upload_roster(quote, csv_file(GOOD_ROWS), today=TODAY)
    time_machine.move_to(datetime.datetime(2027, 7, 1, 12, tzinfo=datetime.UTC), tick=False)
    retention.purge_roster_ids()
    client.force_login(staff_with("view_quote", "export_full_ids"))
    _response, rows = export(client, quote)
    assert rows[1][3] == idcards.mask(PUPIL_1) and rows[1][4] is None


def test_staff_upload_a_roster_sent_to_them_with_the_same_checks_recorded_as_theirs(client, quote):
    user = SuperuserFactory()
    client.force_login(user)
    url = reverse("groups_roster_upload", args=[quote.pk])
    with translation.override("en"):
        bad = client.post(url, {"file": csv_file([["", "学生", "", PUPIL_1, "", ""]])})
        assert bad.status_code == 400
        assert "缺少姓名。" in bad.content.decode()  # the admin speaks the user's language, zh-hans
        assert not Roster.objects.exists()
        good = client.post(url, {"file": xlsx_file(GOOD_ROWS)})
    assert good.status_code == 302
    roster = Roster.objects.get(quote=quote)
    assert roster.uploaded_by == user and roster.participants.count() == 4
    assert roster.uploaded_via == "staff" and not roster.uploaded_by_organiser
