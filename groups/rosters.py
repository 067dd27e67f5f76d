"""Reading a group's roster (花名册) from a spreadsheet, and writing one back.

``read_roster`` takes the organiser's upload — CSV (UTF-8, UTF-8 with a BOM, or GBK as Excel
in China saves it) or XLSX — and checks it row by row: every error with its row and column, so
the organiser fixes the file once. Documents are checked by gates.idcards (the GB 11643 check
digit, the birth date in the number), the same rules as real-name entry.

The template and the staff export share the columns (``COLUMNS``): the header of each is
Chinese and English, and a header is recognised by either language.
"""

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.phones import normalise_phone
from gates import idcards

from .models import DocumentKind, RosterRole

DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_MAX_ROWS = 1000
# An XLSX is a zip: what it unpacks to is capped too, so a small file cannot expand to gigabytes.
MAX_UNPACKED_FACTOR = 50
NAME_MAX = 50
OTHER_DOCUMENT_RE = re.compile(r"^[A-Z0-9]{5,30}$")
# Rows whose name starts so are the template's example: skipped, not a participant.
EXAMPLE_MARKS = ("示例", "example")
# The template's rows formatted as text ahead: what is typed there stays as typed (an ID number
# typed into a plain cell becomes a number and loses its last three digits).
TEMPLATE_TEXT_ROWS = 300
# Spreadsheet programs run a cell starting so as a formula (CSV injection): no name starts so.
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as written in the template and the export: Chinese, then English
    aliases: tuple
    label: object  # as named in error messages, in the visitor's language


COLUMNS = (
    Column("name", "姓名 Name", ("姓名", "name"), pgettext_lazy("roster column", "Name")),
    Column("role", "身份 Role", ("身份", "类别", "role"), pgettext_lazy("roster column", "Role")),
    Column(
        "document_kind",
        "证件类型 Document type",
        ("证件类型", "document type", "type"),
        pgettext_lazy("roster column", "Document type"),
    ),
    Column(
        "document_number",
        "证件号码 Document number",
        ("证件号码", "身份证号", "证件号", "document number", "id number", "number"),
        pgettext_lazy("roster column", "Document number"),
    ),
    Column(
        "birth_date",
        "出生日期 Date of birth",
        ("出生日期", "出生", "date of birth", "birth"),
        pgettext_lazy("roster column", "Date of birth"),
    ),
    Column(
        "phone",
        "手机号 Mobile (adults)",
        ("手机", "电话", "mobile", "phone"),
        pgettext_lazy("roster column", "Mobile"),
    ),
)
REQUIRED = ("name", "role", "document_number")
BY_KEY = {column.key: column for column in COLUMNS}

ROLE_WORDS = {
    RosterRole.PUPIL: ("pupil", "student", "学生", "小学生", "中学生"),
    RosterRole.TEACHER: ("teacher", "教师", "老师", "带队老师"),
    RosterRole.ADULT: ("adult", "other adult", "成人", "家长", "其他成人", "随行人员"),
}
KIND_WORDS = {
    DocumentKind.ID_CARD: ("id_card", "id card", "resident id", "身份证", "居民身份证"),
    DocumentKind.PASSPORT: ("passport", "护照"),
    DocumentKind.OTHER: ("other", "其他", "其它"),
}
EXAMPLE = {
    "name": "示例 张小明",
    "role": "学生 pupil",
    "document_kind": "身份证 ID card",
    "document_number": "110101201203050023",
    "birth_date": "2012-03-05",
    "phone": "",
}


def max_bytes():
    return getattr(settings, "GROUPS_ROSTER_MAX_BYTES", DEFAULT_MAX_BYTES)


def _kilobytes():
    return -(-max_bytes() // 1024)  # rounded up: a limit of 100 bytes is "1 KB", not "0 KB"


def max_rows():
    return getattr(settings, "GROUPS_ROSTER_MAX_ROWS", DEFAULT_MAX_ROWS)


@dataclass(frozen=True)
class RosterError:
    """One problem: ``row`` as the spreadsheet numbers it (0: the file as a whole)."""

    row: int
    column: object
    message: object


class RosterRejected(Exception):
    """The upload cannot be taken; ``errors`` lists every problem found."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problem(s) in the roster")


@dataclass
class Participant:
    """A checked row, ready to be stored (the number still in the clear)."""

    row: int
    name: str
    role: str
    document_kind: str
    document_number: str
    birth_date: datetime.date
    phone: str = ""
    extra: dict = field(default_factory=dict)


def _file_error(message):
    return RosterRejected([RosterError(0, "", message)])


# --- reading the file -------------------------------------------------------------------------


def read_table(upload):
    """The file's rows as lists of cell values (str, int, float, date...), whatever its format;
    RosterRejected for what is no spreadsheet of ours."""
    name = (getattr(upload, "name", "") or "").lower()
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise _file_error(_("The file is too large: at most %(kb)d KB.") % {"kb": _kilobytes()})
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise _file_error(_("The file is too large: at most %(kb)d KB.") % {"kb": _kilobytes()})
    if not data.strip():
        raise _file_error(_("The file is empty."))
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(data)
    raise _file_error(_("Please upload a CSV or XLSX file (the template is one of each)."))


def _decode(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _read_csv(data):
    if data.startswith(b"PK\x03\x04") or b"\x00" in data:
        raise _file_error(_("This file is not a CSV text file. Save the sheet as CSV or XLSX."))
    text = _decode(data)
    if text is None:
        raise _file_error(_("The file's characters cannot be read: save it as CSV (UTF-8) or XLSX."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text), dialect))
    except csv.Error:
        raise _file_error(_("This CSV file is broken: save it again from the spreadsheet.")) from None


def _read_xlsx(data):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    broken = _("This is not a readable XLSX file (perhaps another kind of file renamed .xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise _file_error(broken) from None
    if unpacked > max_bytes() * MAX_UNPACKED_FACTOR:
        raise _file_error(_("The file is too large: at most %(kb)d KB.") % {"kb": _kilobytes()})
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise _file_error(broken) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise _file_error(broken)
        rows = []
        # One past the limit is enough to tell the file is too long.
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > max_rows() + 50:
                break
        return rows
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile):
        raise _file_error(broken) from None
    finally:
        book.close()


# --- checking rows ----------------------------------------------------------------------------


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # Full-width digits and letters (ＩＤ１２３) as their plain forms; spaces trimmed.
    return unicodedata.normalize("NFKC", str(value)).strip()


def _header_key(cell):
    text = _text(cell).lower()
    if not text:
        return None
    # The longest alias the header starts with: "身份证号" is the number, not "身份" (the role).
    starts = [
        (len(alias), column.key) for column in COLUMNS for alias in column.aliases if text.startswith(alias)
    ]
    if starts:
        return max(starts)[1]
    for column in COLUMNS:
        if any(alias in text for alias in column.aliases if len(alias) > 3 or not alias.isascii()):
            return column.key
    return None


def _find_header(rows):
    """(index of the header row, {key: column index}); the header is among the first rows."""
    for index, row in enumerate(rows[:5]):
        keys = {}
        for position, cell in enumerate(row):
            key = _header_key(cell)
            if key and key not in keys:
                keys[key] = position
        if all(key in keys for key in REQUIRED):
            return index, keys
    return None, {}


def _word(value, words):
    text = _text(value).lower()
    for choice, aliases in words.items():
        if text == choice or any(text == alias or text.startswith(alias + " ") for alias in aliases):
            return choice
        if any(alias in text for alias in aliases if not alias.isascii()):
            return choice
    return None


DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = DATE_RE.match(text)
    if not match:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _cell(row, keys, key):
    position = keys.get(key)
    return row[position] if position is not None and position < len(row) else None


def check_row(row_number, row, keys, *, today):
    """(Participant or None, [RosterError], (kind, number) or None) for one data row: the
    document comes back even from a row with other errors, so a duplicate is still told."""
    errors = []

    def error(key, message):
        errors.append(RosterError(row_number, BY_KEY[key].label, message))

    name = _text(_cell(row, keys, "name"))
    if not name:
        error("name", _("The name is missing."))
    elif len(name) > NAME_MAX:
        error("name", _("The name is too long (at most %(n)d characters).") % {"n": NAME_MAX})
    elif name.startswith(FORMULA_STARTS) or any(unicodedata.category(c).startswith("C") for c in name):
        error("name", _("The name holds characters a name cannot have."))

    role = _word(_cell(row, keys, "role"), ROLE_WORDS)
    if role is None:
        error("role", _("Unknown role: write pupil (学生), teacher (教师) or adult (成人)."))

    raw_number = _cell(row, keys, "document_number")
    if (
        isinstance(raw_number, float)
        and not raw_number.is_integer()
        or (isinstance(raw_number, (int, float)) and abs(raw_number) >= 10**15)
    ):
        # Excel keeps 15 digits of a number: an 18-digit ID typed into a number cell has lost
        # its last ones (…000), and nothing can bring them back.
        error(
            "document_number",
            _(
                "Excel stored this number as a number and lost its last digits: "
                "format the column as text and type it again."
            ),
        )
        raw_number = None
    number = idcards.normalize(_text(raw_number)) if raw_number is not None else ""
    kind_cell = _text(_cell(row, keys, "document_kind"))
    kind = _word(kind_cell, KIND_WORDS) if kind_cell else None
    if kind is None and not kind_cell:
        # An empty type: an ID card if it looks like one, so the simplest sheet needs no type.
        kind = DocumentKind.ID_CARD if idcards.looks_like_id_card(number) else None
        if kind is None and number:
            error(
                "document_kind",
                _("Say which document this is: ID card (身份证), passport (护照) or other (其他)."),
            )
    elif kind is None:
        error(
            "document_kind",
            _("Unknown document type: write ID card (身份证), passport (护照) or other (其他)."),
        )

    if not number and raw_number is not None:
        error("document_number", _("The document number is missing."))
    elif number and kind:
        try:
            if kind == DocumentKind.OTHER:
                if not OTHER_DOCUMENT_RE.match(number):
                    raise idcards.BadIdNumber(_("A document number has 5 to 30 letters and digits."))
            else:
                number = idcards.clean_number(kind, number, today=today)
        except idcards.BadIdNumber as exc:
            error("document_number", exc.message)
            number = ""

    birth_cell = _cell(row, keys, "birth_date")
    born = _date(birth_cell) if _text(birth_cell) else None
    from_id = idcards.birth_date(number) if kind == DocumentKind.ID_CARD and number else None
    if _text(birth_cell) and born is None:
        error("birth_date", _("Not a date: write it as 2012-03-05."))
    elif born and (born > today or born.year < 1900):
        error("birth_date", _("This date of birth is not possible."))
    elif born and from_id and born != from_id:
        error(
            "birth_date",
            _("The date of birth does not match the ID card number (which says %(date)s).")
            % {"date": from_id.isoformat()},
        )
    elif born is None and not _text(birth_cell):
        born = from_id
        if born is None and kind in (DocumentKind.PASSPORT, DocumentKind.OTHER):
            error("birth_date", _("The date of birth is missing (needed for a passport or other document)."))

    phone = ""
    phone_cell = _text(_cell(row, keys, "phone"))
    if phone_cell:
        if role == RosterRole.PUPIL:
            # Pupils are minors: no number of theirs is kept; the teachers are the contacts.
            error("phone", _("No mobile number for pupils, please: give the teachers' numbers."))
        else:
            try:
                phone = normalise_phone(phone_cell)
            except ValidationError as exc:
                error("phone", exc.messages[0])

    document = (kind, number) if kind and number else None
    if errors:
        return None, errors, document
    return (
        Participant(
            row=row_number,
            name=name,
            role=role,
            document_kind=kind,
            document_number=number,
            birth_date=born,
            phone=phone,
        ),
        [],
        document,
    )


def _is_blank(row):
    return not any(_text(cell) for cell in row)


def _is_example(row, keys):
    name = _text(_cell(row, keys, "name")).lower()
    return name.startswith(EXAMPLE_MARKS)


def check_rows(rows, *, allowed, today):
    """Every row checked; the participants, or RosterRejected with every error.
    ``allowed``: {role: most people of that role} (the quote's numbers)."""
    if all(_is_blank(row) for row in rows):
        raise _file_error(_("The file is empty."))
    header_index, keys = _find_header(rows)
    if header_index is None:
        missing = ", ".join(str(BY_KEY[key].label) for key in REQUIRED)
        raise _file_error(
            _(
                "The header row was not found: the first row must name the columns "
                "(at least %(columns)s), as in the template."
            )
            % {"columns": missing}
        )
    participants, errors = [], []
    seen = {}
    counts = dict.fromkeys(allowed, 0)
    data_rows = 0
    for index in range(header_index + 1, len(rows)):
        row, number = rows[index], index + 1
        if _is_blank(row) or _is_example(row, keys):
            continue
        data_rows += 1
        if data_rows > max_rows():
            errors.append(
                RosterError(
                    number, "", _("Too many rows: a roster has at most %(n)d people.") % {"n": max_rows()}
                )
            )
            break
        participant, row_errors, document = check_row(number, row, keys, today=today)
        errors.extend(row_errors)
        if document is not None:
            key = idcards.fingerprint(*document)
            if key in seen:
                errors.append(
                    RosterError(
                        number,
                        BY_KEY["document_number"].label,
                        _("The same document number as row %(row)d.") % {"row": seen[key]},
                    )
                )
                continue
            seen[key] = number
        if participant is None:
            continue
        counts[participant.role] = counts.get(participant.role, 0) + 1
        if counts[participant.role] == allowed.get(participant.role, 0) + 1:
            errors.append(
                RosterError(
                    number,
                    BY_KEY["role"].label,
                    _(
                        "More people with the role %(role)s than the quote is for (%(n)d): "
                        "ask the tourism office to change the numbers."
                    )
                    % {"role": RosterRole(participant.role).label, "n": allowed.get(participant.role, 0)},
                )
            )
        participants.append(participant)
    if not errors and not participants:
        errors.append(RosterError(0, "", _("The file has no participants under its header row.")))
    if errors:
        raise RosterRejected(errors)
    return participants


def read_roster(upload, *, allowed, today):
    """The checked participants of an uploaded file, or RosterRejected listing every problem."""
    return check_rows(read_table(upload), allowed=allowed, today=today)


# --- writing: the template and the staff export -----------------------------------------------


def xlsx_bytes(header, rows, *, title, text_rows=0):
    """A one-sheet workbook with every cell as text (so Excel keeps 18-digit numbers whole);
    ``text_rows``: rows formatted as text ahead, for a template to be filled in."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([str(value) if value not in (None, "") else "" for value in row])
    for index, column in enumerate(
        sheet.iter_cols(min_row=1, max_row=max(sheet.max_row, text_rows)), start=1
    ):
        letter = openpyxl.utils.get_column_letter(index)
        sheet.column_dimensions[letter].width = 24 if index == 4 else 16
        for cell in column:
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(header, rows):
    """UTF-8 with a BOM: Excel in China opens it as UTF-8 rather than GBK."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def template_rows():
    return [column.header for column in COLUMNS], [[EXAMPLE[column.key] for column in COLUMNS]]
