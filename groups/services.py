"""Write paths of group bookings: storing an enquiry, moving it along, building and sending its
quote. Each call is one transaction; what visitors see goes out after the commit."""

from django.db import transaction
from django.utils import timezone

from .models import EnquiryStatus, GroupEnquiry, Quote, QuoteStatus


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
