"""Write paths of group bookings: storing an enquiry, moving it along, building and sending its
quote, accepting it (everything held, one order with a deposit), reopening a quote whose deposit
never came, taking its roster and exporting it. Each call is one transaction; what visitors see
goes out after the commit."""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gates import idcards
from town.privacy import mask_phone

from . import rosters
from .models import (
    INVENTORY_FIELDS,
    EnquiryStatus,
    GroupEnquiry,
    Quote,
    QuoteLine,
    QuoteLineKind,
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
# --- accepting a quote --------------------------------------------------------------------------


class QuoteNotOpen(Exception):
    """The quote cannot be accepted: a draft, expired, or with nothing in it (``code`` says which)."""

    def __init__(self, message, *, code):
        self.message = message
        self.code = code
        super().__init__(str(message))


@dataclass(frozen=True)
class Unavailable:
    """A line of the quote that can no longer be had, and why (the reservation core's words)."""

    line: QuoteLine
    reason: str
    code: str


@dataclass
class Acceptance:
    """What accepting gave: the order (existing: accepted before), or the lines no longer there."""

    order: object = None
    unavailable: list = field(default_factory=list)
    existing: bool = False

    @property
    def accepted(self):
        return self.order is not None


# An order line of a meal or transport: no inventory behind it, described by what it kept.
EXTRA_KIND = "group_extra"


def accept_quote(quote, *, now=None) -> Acceptance:
    """The group accepts ``quote``: every line with inventory (rooms, tour slots, entry windows)
    is held through the reservation core for the quote's ``hold_hours``, all or none, and one order
    is placed with a deposit due now and the balance by the quote's balance date
    (``orders.deposits``). The quote is then ACCEPTED and points at the order.

    Under the quote's row lock, so two clicks (or two staff) make one order: the second gets the
    first's (``existing``). Lines no longer available come back in ``unavailable`` and nothing is
    held; the quote stays as it was, for staff to revise. Raises ``QuoteNotOpen`` for a draft, an
    expired quote or one with no lines."""
    from django.utils.translation import gettext_lazy as _

    from accounts.services import user_for_verified_phone
    from orders import deposits, reservations
    from orders.exceptions import ReservationError
    from orders.models import Order

    now = now or timezone.now()
    today = reservations.local_today(now)
    with transaction.atomic():
        quote = Quote.objects.select_for_update(of=("self",)).select_related("enquiry").get(pk=quote.pk)
        if quote.status == QuoteStatus.ACCEPTED and quote.order_id:
            return Acceptance(Order.objects.get(pk=quote.order_id), existing=True)
        if quote.status == QuoteStatus.DRAFT:
            raise QuoteNotOpen(_("This quote has not been sent yet."), code="not_sent")
        if quote.shown_status(today) == QuoteStatus.EXPIRED:
            raise QuoteNotOpen(
                _("This quote was valid until %(date)s. Ask the tourism office for a new one.")
                % {"date": quote.valid_until.isoformat()},
                code="expired",
            )
        lines = list(
            quote.lines.select_related(
                "room_type__page", "tour_slot__experience", "entry_window__rule__spot"
            ).order_by("day", "sort_order", "pk")
        )
        if not lines:
            raise QuoteNotOpen(_("This quote has no lines yet."), code="empty")
        enquiry = quote.enquiry
        booked = [
            (line, _booking_line(line, max(enquiry.people, 1)))
            for line in lines
            if line.kind in INVENTORY_FIELDS
        ]
        try:
            with transaction.atomic():  # a savepoint: a refusal leaves nothing behind
                placed = _placed_lines(lines, dict(booked), enquiry.language, now=now)
                user, _created = user_for_verified_phone(enquiry.contact_phone)
                claims = [claim for item in placed for claim in item.reservations]
                holds = reservations.reserve(
                    claims, holder=user, hold_for=datetime.timedelta(hours=quote.hold_hours), now=now
                )
                position = 0
                for item in placed:
                    count = len(item.reservations)
                    item.reservations = holds[position : position + count]
                    position += count
                total, deposit, _balance = quote_totals(lines, quote.deposit_percent)
                order = deposits.place_with_deposit(
                    user=user,
                    lines=placed,
                    contact_name=enquiry.contact_name,
                    contact_phone=enquiry.contact_phone,
                    currency="CNY",
                    deposit_fen=deposit,
                    balance_due_on=max(today, quote.balance_date(min(line.day for line in lines))),
                    hold_expires_at=now + datetime.timedelta(hours=quote.hold_hours),
                    language=enquiry.language,
                    now=now,
                )
        except ReservationError as exc:
            return Acceptance(unavailable=_unavailable(booked, exc, now=now))
        quote.status = QuoteStatus.ACCEPTED
        quote.order = order
        quote.accepted_at = now
        quote.save(update_fields=["status", "order", "accepted_at"])
        if enquiry.status != EnquiryStatus.BOOKED:
            enquiry.status = EnquiryStatus.BOOKED
            enquiry.save(update_fields=["status"])
    return Acceptance(order)


def _booking_line(line, people):
    """The quote line as the reservation core's line kinds read a basket line (unsaved)."""
    from orders.models import BasketLine

    if line.kind == QuoteLineKind.STAY:
        return BasketLine(
            kind=line.kind,
            object_id=line.room_type_id,
            start_date=line.day,
            end_date=line.day + datetime.timedelta(days=line.nights),
            # The group sleeps in the rooms: at most as many guests as the rooms take.
            guests=min(people, line.quantity * max(line.room_type.max_guests, 1), 32767),
            quantity=line.quantity,
        )
    object_id = line.tour_slot_id if line.kind == QuoteLineKind.TOUR else line.entry_window_id
    options = {"adults": line.quantity} if line.kind == QuoteLineKind.TOUR else {}
    return BasketLine(
        kind=line.kind, object_id=object_id, guests=line.quantity, quantity=line.quantity, options=options
    )


def _placed_lines(lines, booked, language, *, now):
    """Every quote line as an order line to place, at the quote's group price; the lines with
    inventory carry their claims in ``reservations`` (swapped for the holds once taken)."""
    from django.utils import translation

    from orders.lines import LinePrice, LineSnapshot, get_line_kind, prepare_lines
    from orders.money import Money
    from orders.order_state import PlacedLine

    batches = prepare_lines(list(booked.values()), now=now)
    placed = []
    for line in lines:
        nights = line.nights if line.kind == QuoteLineKind.STAY else None
        price = LinePrice(
            total=Money(line.amount_fen),
            unit=Money(line.unit_price_fen),
            nights=nights,
            breakdown=[{"who": "group", "count": line.quantity, "unit_fen": line.unit_price_fen}],
        )
        basket_line = booked.get(line)
        if basket_line is None:
            snapshot, claims = LineSnapshot(title=line.description, item_name=line.get_kind_display()), []
            kind, object_id, start, end = EXTRA_KIND, line.pk, line.day, None
        else:
            handler = get_line_kind(line.kind)
            with translation.override(language or translation.get_language()):
                snapshot = handler.snapshot(basket_line, batches[line.kind])
            claims = handler.claims(basket_line)
            kind, object_id = line.kind, basket_line.object_id
            start, end = basket_line.start_date or line.day, basket_line.end_date
        placed.append(
            PlacedLine(
                kind=kind,
                object_id=object_id,
                start_date=start,
                end_date=end,
                guests=basket_line.guests if basket_line is not None else min(line.quantity, 32767),
                quantity=line.quantity,
                note="",
                price=price,
                snapshot=snapshot,
                reservations=claims,
                options=basket_line.options if basket_line is not None else {},
            )
        )
    return placed


def _unavailable(booked, exc, *, now):
    """Which lines cannot be had, each checked alone (nothing taken or locked); when each alone
    would fit but not all together, the line the core refused."""
    from orders import reservations
    from orders.exceptions import ReservationError
    from orders.lines import get_line_kind

    found = []
    for line, basket_line in booked:
        try:
            reservations.check(get_line_kind(line.kind).claims(basket_line), now=now)
        except ReservationError as refused:
            found.append(Unavailable(line, str(refused.message), refused.code))
    if found:
        return found
    claim = getattr(exc, "claim", None)
    for line, basket_line in booked:
        if claim is not None and claim.kind == line.kind and claim.obj_id == basket_line.object_id:
            return [Unavailable(line, str(exc.message), exc.code)]
    return [Unavailable(line, str(exc.message), exc.code) for line, _basket_line in booked]


# --- deposits not paid in time ------------------------------------------------------------------


def release_unpaid_quotes(*, now=None) -> int:
    """Accepted quotes whose deposit did not come within their hold time: the order is cancelled
    (holds released, ``orders.deposits``) and the quote is open again — SENT, or EXPIRED past its
    date — for the group to accept anew or staff to revise. Also reopens quotes whose order was
    cancelled elsewhere with nothing paid. Returns how many quotes were reopened."""
    from orders import deposits
    from orders.models import Order, OrderStatus
    from orders.models.orders import MONEY_IN

    now = now or timezone.now()
    for order in list(deposits.unpaid_deposit_orders(now).filter(group_quotes__status=QuoteStatus.ACCEPTED)):
        deposits.cancel_unpaid_deposit(order, now=now)
    cancelled = (
        Order.objects.filter(status=OrderStatus.CANCELLED, group_quotes__status=QuoteStatus.ACCEPTED)
        .exclude(payments__status__in=MONEY_IN)
        .values_list("pk", flat=True)
    )
    reopened = 0
    for quote_id in list(Quote.objects.filter(order_id__in=list(cancelled)).values_list("pk", flat=True)):
        with transaction.atomic():
            quote = Quote.objects.select_for_update(of=("self",)).select_related("order").get(pk=quote_id)
            if quote.status != QuoteStatus.ACCEPTED or quote.order.status != OrderStatus.CANCELLED:
                continue
            quote.status = QuoteStatus.SENT
            quote.status = quote.shown_status(_local_today(now))
            quote.save(update_fields=["status"])
            GroupEnquiry.objects.filter(pk=quote.enquiry_id, status=EnquiryStatus.BOOKED).update(
                status=EnquiryStatus.QUOTED
            )
        reopened += 1
    return reopened


def _local_today(now):
    from orders.reservations import local_today

    return local_today(now)
