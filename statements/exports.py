"""A statement as a file: CSV and XLSX of its lines and payouts, and the monthly PDF statement
(ReportLab, Chinese through the built-in CID font STSong-Light, as ``orders.receipts`` draws)."""

import csv
import io
from xml.sax.saxutils import escape

import openpyxl
from django.http import HttpResponse
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from orders.money import format_fen

FONT = "STSong-Light"
FORMATS = ("csv", "xlsx", "pdf")


def _money(fen) -> str:
    """¥ with the sign before it (-¥0.74), as a statement reads."""
    return f"-{format_fen(-fen)}" if fen < 0 else format_fen(fen)


def _yuan(fen) -> str:
    """Fen as yuan with two decimals, for spreadsheets (a number, not ¥-text)."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def rows(statement) -> list[list]:
    """The statement as rows: a header, one row per line and per payout, then the totals."""
    header = [
        _("Date"),
        _("Type"),
        _("Order"),
        _("What"),
        _("Quantity"),
        _("Gross"),
        _("Refunds"),
        _("Commission"),
        _("Net"),
        _("Reference"),
    ]
    out = [header]
    for line in statement.lines:
        what = f"{line.title} · {line.item_name}" if line.item_name else line.title
        out.append(
            [
                line.sold_on.isoformat(),
                _("Sale"),
                line.order_reference,
                what,
                line.quantity,
                _yuan(line.gross_fen),
                _yuan(line.refunds_fen),
                _yuan(line.commission_fen),
                _yuan(line.net_fen),
                "",
            ]
        )
    for payout in statement.payouts:
        out.append(
            [
                payout.paid_on.isoformat(),
                _("Payout"),
                "",
                payout.method_label,
                "",
                "",
                "",
                "",
                _yuan(-payout.amount_fen),
                payout.reference,
            ]
        )
    totals = statement.totals
    out.append([_("Opening balance"), "", "", "", "", "", "", "", _yuan(totals.opening_balance_fen), ""])
    out.append(
        [
            _("Totals"),
            "",
            "",
            "",
            "",
            _yuan(totals.gross_fen),
            _yuan(totals.refunds_fen),
            _yuan(totals.commission_fen),
            _yuan(totals.net_fen),
            "",
        ]
    )
    out.append([_("Paid out"), "", "", "", "", "", "", "", _yuan(-totals.payouts_fen), ""])
    out.append([_("Balance owed"), "", "", "", "", "", "", "", _yuan(totals.balance_fen), ""])
    return out


def filename(statement, ext) -> str:
    period = statement.period
    return f"statement-{statement.seller.pk}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.{ext}"


def as_csv(statement) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(rows(statement))
    # With a BOM, so Excel opens the Chinese as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(statement) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Statement")[:31]
    for i, row in enumerate(rows(statement)):
        if i == 0:
            sheet.append(row)
            continue
        # Amounts as numbers, so the office can sum them.
        sheet.append(
            [float(cell) if col in (5, 6, 7, 8) and cell != "" else cell for col, cell in enumerate(row)]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _styles():
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = ParagraphStyle("statement", fontName=FONT, fontSize=9, leading=12)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=22, spaceAfter=4),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=colors.grey),
        "right": ParagraphStyle("right", parent=base, alignment=2),
        "strong": ParagraphStyle("strong", parent=base, fontSize=11, leading=15, alignment=2),
    }


def as_pdf(statement, *, site_name="") -> bytes:
    styles = _styles()

    def para(text, style="body"):
        return Paragraph(escape(str(text)), styles[style])

    period, totals = statement.period, statement.totals
    story = [
        para(site_name),
        para(_("Statement"), "title"),
        para(statement.seller_name),
        para(
            _("%(first)s to %(last)s") % {"first": period.first.isoformat(), "last": period.last.isoformat()}
        ),
        Spacer(1, 5 * mm),
    ]
    table_rows = [[para(_(h)) for h in ("Date", "What", "Gross", "Refunds", "Commission", "Net")]]
    for line in statement.lines:
        what = f"{line.title} · {line.item_name}" if line.item_name else line.title
        table_rows.append(
            [
                para(line.sold_on.isoformat()),
                Paragraph(
                    f"{escape(what)}<br/><font size=7 color='grey'>{escape(line.order_reference)} × "
                    f"{line.quantity}</font>",
                    styles["body"],
                ),
                para(_money(line.gross_fen), "right"),
                para(_money(line.refunds_fen), "right"),
                para(_money(line.commission_fen), "right"),
                para(_money(line.net_fen), "right"),
            ]
        )
    if not statement.lines:
        table_rows.append([para(_("No sales in this period.")), "", "", "", "", ""])
    table_rows.append(
        [
            para(_("Totals")),
            "",
            para(_money(totals.gross_fen), "right"),
            para(_money(totals.refunds_fen), "right"),
            para(_money(totals.commission_fen), "right"),
            para(_money(totals.net_fen), "right"),
        ]
    )
    table = Table(table_rows, colWidths=[22 * mm, 60 * mm, 22 * mm, 22 * mm, 22 * mm, 22 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
            ]
        )
    )
    story += [table, Spacer(1, 5 * mm)]
    pay_rows = [[para(_("Paid on")), para(_("Method")), para(_("Reference")), para(_("Amount"), "right")]]
    for payout in statement.payouts:
        pay_rows.append(
            [
                para(payout.paid_on.isoformat()),
                para(payout.method_label),
                para(payout.reference),
                para(_money(payout.amount_fen), "right"),
            ]
        )
    if not statement.payouts:
        pay_rows.append([para(_("No payouts in this period.")), "", "", ""])
    payouts = Table(pay_rows, colWidths=[30 * mm, 40 * mm, 70 * mm, 30 * mm])
    payouts.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black)]))
    story += [payouts, Spacer(1, 5 * mm)]
    summary = [
        (_("Opening balance"), totals.opening_balance_fen),
        (_("Net earned"), totals.net_fen),
        (_("Paid out"), -totals.payouts_fen),
        (_("Balance owed"), totals.balance_fen),
    ]
    summary_table = Table(
        [[para(label), para(_money(fen), "strong")] for label, fen in summary],
        colWidths=[120 * mm, 50 * mm],
    )
    summary_table.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)]))
    story += [summary_table, Spacer(1, 5 * mm)]
    story.append(
        para(
            _(
                "Sales count on the day the order was placed, refunds on the day they were made "
                "(Beijing time). Commission is charged on what the sale keeps."
            ),
            "small",
        )
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Statement"),
        author=site_name,
    ).build(story)
    return buffer.getvalue()


def response(statement, fmt, *, site_name="") -> HttpResponse:
    """The statement as a download in ``fmt`` (one of ``FORMATS``; the URL allows no other)."""
    if fmt == "csv":
        body, kind = as_csv(statement), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, kind = as_xlsx(statement), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, kind = as_pdf(statement, site_name=site_name), "application/pdf"
    answer = HttpResponse(body, content_type=kind)
    disposition = "inline" if fmt == "pdf" else "attachment"
    answer["Content-Disposition"] = f'{disposition}; filename="{filename(statement, fmt)}"'
    return answer
