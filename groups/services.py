"""Write paths of group bookings: storing an enquiry, moving it along, building and sending its
quote. Each call is one transaction; what visitors see goes out after the commit."""

from django.db import transaction
from django.utils import timezone

from .models import GroupEnquiry


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
