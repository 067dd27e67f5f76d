"""The receipt (收据) of an order as a PDF: what was bought and what was paid, for the visitor and
for staff. Drawn with ReportLab; Chinese through its built-in CID font STSong-Light (the PDF
viewer supplies the glyphs), so no font file ships with the site.

A receipt says money was received: ``receipt_of`` refuses an order that has nothing paid.
"""

import io
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .exceptions import OrderStateError
from .lines import describing_kind
from .models import InvoiceRequest, Order, OrderStatus
from .models.orders import MONEY_IN
from .money import format_fen
from .payments.base import get_provider
from .payments.exceptions import UnknownProvider

FONT = "STSong-Light"
NOTHING_PAID = gettext_lazy("Nothing has been paid on this order yet, so there is no receipt.")


@dataclass(frozen=True)
class ReceiptLine:
    what: str
    detail: str
    quantity: int
    unit_fen: int
    total_fen: int


@dataclass(frozen=True)
class ReceiptPayment:
    method: str
    paid_at: datetime | None
    amount_fen: int
    refunded_fen: int


@dataclass(frozen=True)
class Receipt:
    site_name: str
    reference: str
    status: str
    placed_at: datetime
    currency: str
    lines: list
    lines_total_fen: int
    payments: list
    paid_fen: int  # received and not given back
    invoice_title: str


def _method(name) -> str:
    try:
        return str(get_provider(name).label)
    except UnknownProvider:
        return name


def has_receipt(payments) -> bool:
    """Did any of ``payments`` take money (then the order has a receipt)? Reads them as given, so
    prefetched payments cost no query."""
    return any(p.status in MONEY_IN and p.amount_fen for p in payments)


def receipt_of(order: Order, *, site_name: str) -> Receipt:
    """What the receipt of ``order`` shows: its standing lines and the payments that took money.
    Raises ``OrderStateError`` (code ``nothing_paid``) when nothing was paid."""
    payments = [p for p in order.payments.all() if p.status in MONEY_IN]
    paid_fen = sum(p.kept_fen for p in payments)
    if not has_receipt(payments):
        raise OrderStateError(NOTHING_PAID, code="nothing_paid")
    lines = []
    for line in order.lines.all():
        if line.cancelled_at is not None:
            continue
        handler = describing_kind(line.kind)
        lines.append(
            ReceiptLine(
                what=str(handler.heading(line)),
                detail=str(handler.summary(line)),
                quantity=line.quantity,
                unit_fen=line.unit_price_fen,
                total_fen=line.total_fen,
            )
        )
    try:
        title = order.invoice_request.title
    except InvoiceRequest.DoesNotExist:
        title = ""
    return Receipt(
        site_name=site_name,
        reference=order.reference,
        status=order.status,
        placed_at=order.created_at,
        currency=order.currency,
        lines=lines,
        lines_total_fen=sum(line.total_fen for line in lines),
        payments=[
            ReceiptPayment(_method(p.provider), p.paid_at, p.amount_fen, p.refunded_fen)
            for p in sorted(payments, key=lambda p: (p.paid_at or p.created_at, p.pk))
        ],
        paid_fen=paid_fen,
        invoice_title=title,
    )


def _styles():
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = ParagraphStyle("receipt", fontName=FONT, fontSize=10, leading=14)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, spaceAfter=4),
        "site": ParagraphStyle("site", parent=base, fontSize=12, leading=16),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.grey),
        "right": ParagraphStyle("right", parent=base, alignment=2),
        "strong": ParagraphStyle("strong", parent=base, fontSize=11, leading=15, alignment=2),
    }


def _moment(value) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i") if value else ""


def receipt_pdf(receipt: Receipt, *, language=None) -> bytes:
    """The receipt as PDF bytes, worded in ``language`` (else the active one)."""
    with translation.override(language or translation.get_language()):
        return _draw(receipt)


def _draw(receipt: Receipt) -> bytes:
    styles = _styles()
    money = lambda fen: format_fen(fen, receipt.currency)  # noqa: E731
    P = lambda text, style="body": Paragraph(escape(str(text)), styles[style])  # noqa: E731
    story = [
        P(receipt.site_name, "site"),
        P(_("Receipt"), "title"),
        P(_("Order %(ref)s") % {"ref": receipt.reference}),
        P(_("Placed on %(date)s") % {"date": _moment(receipt.placed_at)}),
        P(_("Status: %(status)s") % {"status": OrderStatus(receipt.status).label}),
    ]
    if receipt.invoice_title:
        story.append(P(_("Invoice title: %(title)s") % {"title": receipt.invoice_title}))
    story.append(Spacer(1, 6 * mm))
    rows = [[P(_("Item")), P(_("Quantity"), "right"), P(_("Unit price"), "right"), P(_("Amount"), "right")]]
    for line in receipt.lines:
        what = Paragraph(
            f"{escape(line.what)}<br/><font size=8 color='grey'>{escape(line.detail)}</font>", styles["body"]
        )
        rows.append(
            [
                what,
                P(line.quantity, "right"),
                P(money(line.unit_fen), "right"),
                P(money(line.total_fen), "right"),
            ]
        )
    rows.append([P(_("Total")), "", "", P(money(receipt.lines_total_fen), "strong")])
    table = Table(rows, colWidths=[95 * mm, 20 * mm, 27 * mm, 28 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm)]
    pay_rows = [[P(_("Payment method")), P(_("Paid on")), P(_("Amount"), "right"), P(_("Refunded"), "right")]]
    for payment in receipt.payments:
        pay_rows.append(
            [
                P(payment.method),
                P(_moment(payment.paid_at)),
                P(money(payment.amount_fen), "right"),
                P(money(payment.refunded_fen) if payment.refunded_fen else "", "right"),
            ]
        )
    pay_rows.append([P(_("Received in total")), "", "", P(money(receipt.paid_fen), "strong")])
    payments = Table(pay_rows, colWidths=[60 * mm, 50 * mm, 30 * mm, 30 * mm])
    payments.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("SPAN", (0, -1), (2, -1)),
            ]
        )
    )
    story += [payments, Spacer(1, 8 * mm)]
    story.append(P(_("This receipt confirms the payment received. It is not a VAT invoice (发票)."), "small"))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Receipt %(ref)s") % {"ref": receipt.reference},
        author=receipt.site_name,
    )
    document.build(story)
    return buffer.getvalue()


def receipt_response(order: Order, *, site_name: str) -> HttpResponse:
    """The PDF answer for ``order`` (the caller checked who may see it); 409 with a plain message
    when nothing was paid."""
    try:
        receipt = receipt_of(order, site_name=site_name)
    except OrderStateError as exc:
        return HttpResponse(str(exc.message), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(receipt_pdf(receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{order.reference}.pdf"'
    return response
