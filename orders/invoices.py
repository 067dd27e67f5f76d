"""Invoice (发票) requests: what the buyer wants on the invoice of an order, set at checkout or
later by the visitor while the invoice is not issued, and marked issued by staff with its number.

Owns the checks of the fields, among them the unified social credit code (统一社会信用代码,
GB 32100-2015) with its check character, and the one rule of changes: once issued, the request
is what the finance office invoiced and the visitor can no longer change it.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .exceptions import OrderStateError
from .lines import LineInvalid
from .models import InvoiceKind, InvoiceRequest, InvoiceStatus, Order

# GB 32100-2015: 31 characters (no I, O, S, V, Z) and the weights 3^i mod 31 of positions 1..17.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Position 1 is the registering authority; the administrative division (3-8) is six digits.
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-()]{4,28}[0-9]$")
ACCOUNT_RE = re.compile(r"^[0-9][0-9 \-]{3,38}[0-9]$")

FIELDS = ("kind", "title", "tax_number", "address", "phone", "bank_name", "bank_account", "email")
MAX_LENGTHS = {"title": 150, "address": 200, "phone": 32, "bank_name": 100, "bank_account": 40, "email": 254}


class InvoiceInvalid(LineInvalid):
    """Field errors of an invoice request (``errors``: field name → message): 422."""


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code whose first 17 are ``first17``."""
    pairs = zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    total = sum(CREDIT_CODE_CHARS.index(char) * weight for char, weight in pairs)
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def normalise_tax_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def tax_number_error(value: str):
    """Why ``value`` (normalised) is not a unified social credit code, or None if it is one."""
    if len(value) != 18:
        return _("A tax number (unified social credit code) has 18 characters.")
    if not CREDIT_CODE_RE.match(value):
        return _(
            "This is not a unified social credit code: digits and capital letters other than "
            "I, O, S, V and Z, with digits in places 3 to 8."
        )
    if credit_code_check_char(value[:17]) != value[17]:
        return _("This tax number's last character does not match the rest: please check it for typos.")
    return None


@dataclass(frozen=True)
class InvoiceDetails:
    kind: str
    title: str
    tax_number: str = ""
    address: str = ""
    phone: str = ""
    bank_name: str = ""
    bank_account: str = ""
    email: str = ""

    def as_fields(self) -> dict:
        return {name: getattr(self, name) for name in FIELDS}


def _text(data, name) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvoiceInvalid({name: _("Please give this as text.")})
    return " ".join(value.split())


def clean_invoice(data: dict) -> InvoiceDetails:
    """Check and tidy what the visitor typed; raise ``InvoiceInvalid`` with every field's error."""
    errors = {}
    values = {}
    for name in FIELDS:
        try:
            values[name] = _text(data, name)
        except InvoiceInvalid as exc:
            errors.update(exc.errors)
            values[name] = ""
    kind = values["kind"]
    if kind not in InvoiceKind.values:
        errors.setdefault("kind", _("Please choose a personal or a company invoice."))
    for name, limit in MAX_LENGTHS.items():
        if len(values[name]) > limit:
            errors.setdefault(name, _("Please keep this under %(limit)s characters.") % {"limit": limit})
    if not values["title"]:
        errors.setdefault(
            "title",
            _("Please give the company's full name as registered.")
            if kind == InvoiceKind.COMPANY
            else _("Please give the name to put on the invoice."),
        )
    tax_number = normalise_tax_number(values["tax_number"])
    values["tax_number"] = tax_number
    if not tax_number and kind == InvoiceKind.COMPANY:
        errors.setdefault("tax_number", _("A company invoice needs the company's tax number."))
    elif tax_number and (problem := tax_number_error(tax_number)):
        errors.setdefault("tax_number", problem)
    if values["phone"] and not PHONE_RE.match(values["phone"]):
        errors.setdefault(
            "phone", _("Please give a valid phone number (digits, spaces, dashes, an optional +).")
        )
    if values["bank_account"] and not ACCOUNT_RE.match(values["bank_account"]):
        errors.setdefault("bank_account", _("A bank account number is digits (spaces and dashes allowed)."))
    if values["bank_account"] and not values["bank_name"]:
        errors.setdefault("bank_name", _("Please give the bank of this account."))
    if not values["email"]:
        errors.setdefault("email", _("Please give the e-mail address the e-invoice goes to."))
    else:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors.setdefault("email", _("Please give a valid e-mail address."))
    if errors:
        raise InvoiceInvalid(errors)
    return InvoiceDetails(**values)


def request_invoice(order: Order, data: dict) -> InvoiceRequest:
    """Set or update the invoice request of ``order`` (the caller checked it is the visitor's).

    Raises ``InvoiceInvalid`` (422) for bad fields and ``OrderStateError`` (code ``invoiced``,
    409) once the invoice is issued; nothing is written then."""
    details = data if isinstance(data, InvoiceDetails) else clean_invoice(data)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        current = InvoiceRequest.objects.filter(order=order).first()
        if current is not None and current.is_invoiced:
            raise OrderStateError(
                _("The invoice of this order has been issued; it can no longer be changed."), code="invoiced"
            )
        if current is None:
            return InvoiceRequest.objects.create(order=order, **details.as_fields())
        for name, value in details.as_fields().items():
            setattr(current, name, value)
        current.save()
        return current


def mark_invoiced(order: Order, *, invoice_number: str, by_user, now=None) -> InvoiceRequest:
    """Staff issued the invoice of ``order``: record its number, who and when. Marking it again
    with the same number changes nothing; another number corrects the one recorded."""
    number = " ".join((invoice_number or "").split())
    if not number:
        raise InvoiceInvalid({"invoice_number": _("Please give the number of the invoice issued.")})
    if len(number) > 40:
        raise InvoiceInvalid(
            {"invoice_number": _("Please keep this under %(limit)s characters.") % {"limit": 40}}
        )
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        current = InvoiceRequest.objects.filter(order=order).first()
        if current is None:
            raise OrderStateError(
                _("The visitor has not asked for an invoice on this order."), code="not_found"
            )
        if current.is_invoiced and current.invoice_number == number:
            return current
        current.status = InvoiceStatus.INVOICED
        current.invoice_number = number
        current.invoiced_at = now or timezone.now()
        current.invoiced_by = by_user
        current.save()
        return current
