"""Write paths of group bookings: storing an enquiry, moving it along, building and sending its
quote, taking its roster and exporting it. Each call is one transaction; what visitors see goes
out after the commit."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gates import idcards
from town.privacy import mask_phone

from . import rosters
from .models import (
    EnquiryStatus,
    GroupEnquiry,
    Quote,
    QuoteStatus,
    Roster,
    RosterParticipant,
    RosterRole,
    RosterSource,
)

logger = logging.getLogger(__name__)


def submit_enquiry(
    *,
    organisation,
    kind,
    start_date,
    end_date,
    pupils,
    adults,
    teachers,
    ages,
    programme,
    wishes,
    budget_fen,
    contact_name,
    contact_phone,
    contact_email,
    language,
):
    """Store an enquiry whose number was proven by its code just now (the form checked it)."""
    now = timezone.now()
    enquiry = GroupEnquiry(
        organisation=organisation.strip(),
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        pupils=pupils,
        adults=adults,
        teachers=teachers,
        ages=ages.strip(),
        programme=programme,
        wishes=wishes.strip(),
        budget_fen=budget_fen,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone,
        phone_verified_at=now,
        contact_email=contact_email,
        language=language or "zh-hans",
        created_at=now,
    )
    enquiry.full_clean()
    with transaction.atomic():
        enquiry.save()
    return enquiry


def quote_totals(lines, deposit_percent):
    """(total, deposit, balance) in fen. The deposit is rounded to the fen, half up."""
    total = sum(line.amount_fen for line in lines)
    deposit = (total * deposit_percent + 50) // 100
    return total, deposit, total - deposit


def send_quote(quote, *, link):
    """Mark a quote sent and text its private link to the group's contact (after the commit).
    Sending again texts the link again; the date it was first sent stays."""
    from django.utils.translation import gettext, override

    from town.sms import send_sms

    with transaction.atomic():
        quote = Quote.objects.select_for_update().select_related("enquiry").get(pk=quote.pk)
        if quote.status == QuoteStatus.ACCEPTED:
            return quote
        quote.status = QuoteStatus.SENT
        quote.sent_at = quote.sent_at or timezone.now()
        quote.save(update_fields=["status", "sent_at"])
        enquiry = quote.enquiry
        if enquiry.status in (EnquiryStatus.NEW, EnquiryStatus.QUOTING):
            enquiry.status = EnquiryStatus.QUOTED
            enquiry.save(update_fields=["status"])
        with override(enquiry.language):
            text = gettext("Your group quote from Tianyuan, valid until %(date)s: %(link)s") % {
                "date": quote.valid_until.isoformat(),
                "link": link,
            }
        send_sms(
            enquiry.contact_phone,
            text,
            template="group_quote",
            params={"date": quote.valid_until, "link": link},
        )
    return quote


# --- the roster -------------------------------------------------------------------------------

ROSTER_CLOSED = _("The trip is over: the roster can no longer be changed.")
ROSTER_NOT_OPEN = _("This quote has expired: ask the tourism office for a new one before sending the roster.")


def roster_refusal(quote, today):
    """Why the roster of this quote cannot be uploaded now, or None."""
    if quote.enquiry.end_date < today:
        return ROSTER_CLOSED
    if quote.shown_status(today) not in (QuoteStatus.SENT, QuoteStatus.ACCEPTED):
        return ROSTER_NOT_OPEN
    return None


def allowed_roles(enquiry):
    return {
        RosterRole.PUPIL: enquiry.pupils,
        RosterRole.TEACHER: enquiry.teachers,
        RosterRole.ADULT: enquiry.adults,
    }


def upload_roster(quote, upload, *, today, by_user=None):
    """Check an uploaded roster file and, if every row is right, make it the quote's roster
    (replacing the last one whole). Any error: RosterRejected listing them, nothing stored.
    ``by_user``: the staff member; None for the organiser through the quote's link."""
    refusal = roster_refusal(quote, today)
    if refusal:
        raise rosters.RosterRejected([rosters.RosterError(0, "", refusal)])
    participants = rosters.read_roster(upload, allowed=allowed_roles(quote.enquiry), today=today)
    # Sealing (Fernet) before the transaction: nothing slow while the quote is locked.
    rows = [
        RosterParticipant(
            row=p.row,
            name=p.name,
            role=p.role,
            document_kind=p.document_kind,
            document_masked=idcards.mask(p.document_number),
            document_sealed=idcards.seal(p.document_number),
            birth_date=p.birth_date,
            phone=p.phone,
        )
        for p in participants
    ]
    with transaction.atomic():
        # One upload at a time per quote: the second waits and then replaces the first whole.
        Quote.objects.select_for_update().filter(pk=quote.pk).first()
        roster, _created = Roster.objects.update_or_create(
            quote=quote,
            defaults={
                "uploaded_at": timezone.now(),
                "uploaded_by": by_user,
                "uploaded_via": RosterSource.STAFF if by_user else RosterSource.ORGANISER,
                "file_name": (getattr(upload, "name", "") or "")[:200],
                "ids_purged_at": None,
            },
        )
        roster.participants.all().delete()
        for row in rows:
            row.roster = roster
        RosterParticipant.objects.bulk_create(rows)
    return roster


def clear_roster(quote):
    """The organiser takes the roster back (their data, theirs to erase)."""
    with transaction.atomic():
        deleted, _kinds = Roster.objects.filter(quote=quote).delete()
    return bool(deleted)


def roster_export(quote, *, user, full, fmt):
    """(file bytes, content type, file name) of the roster for the insurer. ``full``: the
    document numbers unsealed — only for staff with ``groups.export_full_ids``; each such export
    is logged (who, which quote, how many numbers), in the quote's history too."""
    if full and not user.has_perm("groups.export_full_ids"):
        raise PermissionError("export_full_ids")
    roster = Roster.objects.filter(quote=quote).first()
    participants = list(roster.participants.all()) if roster else []
    header = [column.header for column in rosters.COLUMNS]
    rows = []
    for p in participants:
        number = (
            idcards.unseal(p.document_sealed) if full and p.document_sealed else ""
        ) or p.document_masked
        rows.append(
            [
                p.name,
                p.get_role_display(),
                p.get_document_kind_display(),
                number,
                p.birth_date.isoformat() if p.birth_date else "",
                p.phone if full else (mask_phone(p.phone) if p.phone else ""),
            ]
        )
    if full:
        from wagtail.log_actions import log

        log(instance=quote, action="groups.roster_export_full", user=user, data={"people": len(rows)})
        logger.info(
            "roster of quote %s exported with full ID numbers by user %s (%d people)",
            quote.pk,
            user.pk,
            len(rows),
        )
    stem = f"roster-{quote.enquiry.ref}" + ("" if full else "-masked")
    if fmt == "csv":
        return rosters.csv_bytes(header, rows), "text/csv; charset=utf-8", f"{stem}.csv"
    content = rosters.xlsx_bytes(header, rows, title="roster")
    return content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{stem}.xlsx"
