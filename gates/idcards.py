"""Identity documents of real-name entry: checking a number, keeping it secret, showing it masked.

* Mainland resident ID cards (GB 11643-1999): 18 characters, the first six a region code, then
  the birth date YYYYMMDD (a real date, not in the future, not before 1900), three serial digits
  and a check character (ISO 7064 MOD 11-2: 0-9 or X).
* Passports: 5 to 20 letters and digits (the issuing state is not checked; Chinese passports
  are E/G + 8).

The number is stored encrypted (Fernet, ``seal``/``unseal``) and, for "one entry per ID per day
per spot", as a keyed hash (``fingerprint``: HMAC-SHA256, so the column cannot be reversed by
hashing every possible ID number, which are few enough to try them all without the key). The
key is ``GATES_ID_KEY`` (a Fernet key, urlsafe base64 of 32 bytes) or, unset, derived from
``SECRET_KEY`` with HKDF; rotating it makes stored numbers unreadable, so set it once.
"""

import base64
import datetime
import hashlib
import hmac
import re
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ID_CARD = "id_card"
PASSPORT = "passport"
ID_TYPES = ((ID_CARD, _("Mainland ID card")), (PASSPORT, _("Passport")))

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^[1-9]\d{16}[\dX]$")
_PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,20}$")


class BadIdNumber(ValueError):
    """A number that is not a valid document number; ``message`` says why."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def normalize(number) -> str:
    """What a visitor types: spaces and dashes dropped, letters upper-cased (a final x)."""
    return re.sub(r"[\s\-]", "", str(number or "")).upper()


def looks_like_id_card(number) -> bool:
    return bool(re.match(r"^\d{17}[\dX]$", normalize(number)))


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def birth_date(number: str) -> datetime.date | None:
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def clean_id_card(number, *, today=None) -> str:
    number = normalize(number)
    if not _ID_RE.match(number):
        raise BadIdNumber(_("An ID card number has 18 characters: 17 digits and a final digit or X."))
    born = birth_date(number)
    today = today or timezone.localdate()
    if born is None or born > today or born.year < 1900:
        raise BadIdNumber(_("The birth date in this ID card number is not a real date."))
    if check_digit(number[:17]) != number[17]:
        raise BadIdNumber(
            _("This ID card number is not valid: please check it (its last character does not match).")
        )
    return number


def clean_passport(number) -> str:
    number = normalize(number)
    if not _PASSPORT_RE.match(number):
        raise BadIdNumber(_("A passport number has 5 to 20 letters and digits."))
    return number


def clean_number(id_type, number, *, today=None) -> str:
    if id_type == PASSPORT:
        return clean_passport(number)
    if id_type == ID_CARD:
        return clean_id_card(number, today=today)
    raise BadIdNumber(_("Please choose an ID card or a passport."))


def mask(number: str) -> str:
    """3301**********1234: the first four and the last four, the rest hidden (a passport: the
    first two and the last two)."""
    if len(number) >= 12:
        return number[:4] + "*" * (len(number) - 8) + number[-4:]
    if len(number) > 4:
        return number[:2] + "*" * (len(number) - 4) + number[-2:]
    return "*" * len(number)


@cache
def _key_material() -> bytes:
    configured = getattr(settings, "GATES_ID_KEY", "") or ""
    if configured:
        try:
            raw = base64.urlsafe_b64decode(configured)
        except ValueError as exc:
            raise ImproperlyConfigured(
                "GATES_ID_KEY must be a Fernet key (urlsafe base64 of 32 bytes)."
            ) from exc
        if len(raw) != 32:
            raise ImproperlyConfigured("GATES_ID_KEY must be a Fernet key (urlsafe base64 of 32 bytes).")
        return raw
    if not settings.SECRET_KEY:
        raise ImproperlyConfigured("Set SECRET_KEY or GATES_ID_KEY to store ID numbers.")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tianyuan-gates", info=b"id-numbers").derive(
        settings.SECRET_KEY.encode()
    )


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key_material()))


def _hmac_key() -> bytes:
    # A key of its own for the hash, so the hash column says nothing about the encryption key.
    return hmac.new(_key_material(), b"fingerprint", hashlib.sha256).digest()


def seal(number: str) -> str:
    return _fernet().encrypt(number.encode()).decode()


def unseal(token: str) -> str:
    """The number back (for the gate only); "" if it cannot be read (another key)."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return ""


def fingerprint(id_type: str, number: str) -> str:
    """The keyed hash of a document: equal for the same document, useless without the key."""
    return hmac.new(_hmac_key(), f"{id_type}:{number}".encode(), hashlib.sha256).hexdigest()
