"""The gettext catalogues in site/locale: complete, consistent and compiled.

The .po files are read with a tiny parser (polib is not a project requirement) and the .mo
files with the standard library's ``gettext``, so the test runs on any checkout.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
ZH_PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"

# %(name)s-style and {name}-style placeholders; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|%[sd]|\{\w*\}")


def parse_po(path):
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr {index: text}, flags.

    Obsolete (#~) entries are skipped; the header is the entry whose msgid is "".
    """
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if field is not None:  # a comment starts the next entry
                finish()
                entry, field = None, None
            if entry is None:
                entry = {"flags": set(), "msgstr": {}}
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += text
            else:
                entry[field] += text
            continue
        keyword, _, rest = line.partition(" ")
        text = ast.literal_eval(rest)
        if keyword in ("msgctxt", "msgid") and field is not None and field != "msgctxt":
            finish()
            entry, field = None, None
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        match = re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword)
        if match:
            field = ("msgstr", int(match.group(1) or 0))
            entry["msgstr"][field[1]] = text
        else:
            field = keyword
            entry[keyword] = text
    finish()
    return entries


def split_header(entries):
    header = [e for e in entries if e["msgid"] == "" and "msgctxt" not in e]
    assert len(header) == 1, "the catalogue needs exactly one header entry"
    fields = dict(line.split(": ", 1) for line in header[0]["msgstr"][0].splitlines() if ": " in line)
    return header[0], fields, [e for e in entries if e is not header[0]]


def placeholders(text):
    return set(PLACEHOLDER.findall(text))


def label(entry):
    return repr(entry["msgid"])[:90]


@pytest.fixture(scope="module")
def zh():
    return split_header(parse_po(ZH_PO))


def test_the_catalogues_exist_and_are_compiled():
    for po in (ZH_PO, EN_PO):
        assert po.exists(), f"{po} is missing: run makemessages"
        assert po.with_suffix(".mo").exists(), f"{po.with_suffix('.mo')} is missing: run compilemessages"


def test_headers_declare_language_charset_and_plural_forms(zh):
    header, fields, _ = zh
    assert "fuzzy" not in header["flags"]
    assert fields["Language"] == "zh_Hans"
    assert "charset=UTF-8" in fields["Content-Type"]
    assert fields["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"

    en_header, en_fields, _ = split_header(parse_po(EN_PO))
    assert "fuzzy" not in en_header["flags"]
    assert en_fields["Language"] == "en"
    assert "charset=UTF-8" in en_fields["Content-Type"]
    assert en_fields["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n!=1);"


def test_every_chinese_entry_is_translated_and_not_fuzzy(zh):
    _, _, entries = zh
    assert len(entries) > 100, "the Chinese catalogue looks empty"
    fuzzy = [label(e) for e in entries if "fuzzy" in e["flags"]]
    assert not fuzzy, f"fuzzy entries are not used; check and unflag them: {fuzzy}"
    untranslated = [label(e) for e in entries if not all(e["msgstr"].values()) or not e["msgstr"]]
    assert not untranslated, f"untranslated entries: {untranslated}"
    plural_shape = [label(e) for e in entries if "msgid_plural" in e and set(e["msgstr"]) != {0}]
    assert not plural_shape, f"Chinese has one plural form (msgstr[0] only): {plural_shape}"


def test_placeholders_match_between_msgid_and_msgstr(zh):
    _, _, entries = zh
    mismatched = []
    for entry in entries:
        source = placeholders(entry["msgid"]) | placeholders(entry.get("msgid_plural", ""))
        for text in entry["msgstr"].values():
            if placeholders(text) != source:
                mismatched.append(f"{label(entry)}: {sorted(source)} vs {sorted(placeholders(text))}")
    assert not mismatched, "\n".join(mismatched)


def test_python_format_translations_can_be_interpolated(zh):
    class Anything(dict):
        def __missing__(self, key):
            return 1

    _, _, entries = zh
    broken = []
    for entry in entries:
        if "python-format" not in entry["flags"] or not re.search(r"%\(\w+\)", entry["msgid"]):
            continue
        for text in entry["msgstr"].values():
            try:
                text % Anything()
            except (ValueError, TypeError, KeyError) as exc:
                broken.append(f"{label(entry)}: {exc}")
    assert not broken, "\n".join(broken)


def test_the_compiled_catalogue_matches_the_po_file(zh):
    """The .mo holds exactly the .po's translations, i.e. compilemessages ran after the last edit."""
    _, _, entries = zh
    with ZH_PO.with_suffix(".mo").open("rb") as fp:
        catalog = gettext.GNUTranslations(fp)._catalog
    stale = []
    for entry in entries:
        key = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if "msgid_plural" in entry:
            compiled = {i: catalog.get((key, i)) for i in entry["msgstr"]}
        else:
            compiled = {0: catalog.get(key)}
        if compiled != entry["msgstr"]:
            stale.append(label(entry))
    assert not stale, f"the .mo is out of date, run `make messages`: {stale[:20]}"


def test_django_serves_chinese_by_default_and_english_under_en():
    with translation.override("zh-hans"):
        assert translation.gettext("Search") == "搜索"
        assert translation.gettext("Homestays") == "民宿"
        assert translation.ngettext("%(n)s night", "%(n)s nights", 3) % {"n": 3} == "3 晚"
    with translation.override("en"):
        assert translation.gettext("Search") == "Search"
        assert translation.ngettext("%(n)s night", "%(n)s nights", 1) % {"n": 1} == "1 night"
