"""E-mails about orders, sent after the transaction that caused them commits.

Each public function is called by ``order_state`` inside its transaction; it only queues a
django-tasks task on commit, so a rolled-back change never mails anyone. The tasks render text
and HTML in the order's language; the confirmation goes out once (``confirmation_sent_at``),
with a voucher (code + QR image) per line, and each host gets a notice of their part, in the
host's own language (``User.notice_language``).
"""

import logging
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from accounts.notices import channels_for, send_notice_sms
from town.sites import email_subject, site_identity

from .models import Order, OrderStatus, Refund, ReservationKind
from .money import format_fen
from .qr import qr_png

logger = logging.getLogger(__name__)


# Text messages: short (one 70-character segment in Chinese where it can), each under a template
# name whose parameters fill a provider's approved template (SMS_TEMPLATES); the link is the
# order's short link (``views.short_link``), which opens the order only for its owner, logged in.
SMS_TEXTS = {
    "order_confirmed": gettext_lazy("Your booking %(ref)s is confirmed. Vouchers: %(url)s"),
    "order_cancelled": gettext_lazy("Your booking %(ref)s is cancelled. Details: %(url)s"),
    "order_cancelled_refund": gettext_lazy(
        "Your booking %(ref)s is cancelled; %(amount)s will be refunded. Details: %(url)s"
    ),
    "order_sold_out": gettext_lazy(
        "Sorry: %(ref)s could not be confirmed, your payment is refunded. Details: %(url)s"
    ),
    "order_called_off": gettext_lazy("The organiser cancelled some of booking %(ref)s. Details: %(url)s"),
    "line_cancelled": gettext_lazy("You cancelled part of booking %(ref)s. Details: %(url)s"),
    "refund_issued": gettext_lazy("Refund of %(amount)s for %(ref)s made. Details: %(url)s"),
    "order_reminder": gettext_lazy("Tomorrow (%(ref)s): %(what)s. Vouchers: %(url)s"),
    "balance_due": gettext_lazy("Balance of %(ref)s: %(amount)s due by %(date)s. Pay: %(url)s"),
    "waitlist_offer": gettext_lazy("A place is free for you: %(what)s. Book by %(until)s: %(url)s"),
    "provider_new_booking": gettext_lazy("New booking %(ref)s: %(what)s. Guest %(name)s %(phone)s. %(url)s"),
    "provider_new_order": gettext_lazy("New order %(ref)s: %(what)s. %(url)s"),
    "stay_changed": gettext_lazy("Your booking %(ref)s has new dates: %(what)s. Voucher: %(url)s"),
    "provider_stay_changed": gettext_lazy("Booking %(ref)s moved by the guest: now %(what)s. %(url)s"),
    "provider_line_cancelled": gettext_lazy("Booking %(ref)s: the guest cancelled %(what)s. %(url)s"),
    "provider_nights_closed": gettext_lazy(
        "Closed by the tourism office: %(first)s – %(last)s; %(count)s of your bookings cancelled."
    ),
}
# How much of the lines' description an SMS carries before "…".
SMS_WHAT_LENGTH = 40


def _sms(to, template, language, /, **params):
    if to:
        send_notice_sms(to, template, SMS_TEXTS[template], params, language=language)


def _visitor_language(order):
    return order.language or settings.LANGUAGE_CODE


def short_url(order):
    """The order's short link in the active language (absolute when the site is known)."""
    from django.urls import reverse

    return _absolute(reverse("orders_short_link", args=[order.reference]))


def provider_short_url(order):
    from django.urls import reverse

    return _absolute(reverse("orders_provider_link", args=[order.reference]))


def lines_in_words(lines, limit=SMS_WHAT_LENGTH):
    """The lines as an SMS says them, in the active language: "桃园小筑 · 大床房 3月20日 …"."""
    from .lines import describing_kind

    words = "; ".join(
        f"{describing_kind(line.kind).heading(line)} {describing_kind(line.kind).summary(line)}"
        for line in lines
    )
    return words if len(words) <= limit else words[: limit - 1] + "…"


# --- called by order_state (inside its transaction) -----------------------------------------


def order_confirmed(order):
    _enqueue_on_commit(send_confirmation, order.pk)


def payment_failed(order):
    _enqueue_on_commit(send_order_mail, order.pk, "payment_failed")


def sold_out_refund(order):
    _enqueue_on_commit(send_order_mail, order.pk, "sold_out")


def order_cancelled(order, refund_fen, paid_fen=None):
    _enqueue_on_commit(send_order_mail, order.pk, "cancelled", refund_fen, paid_fen)


def refund_issued(refund):
    _enqueue_on_commit(send_refund_mail, refund.pk)


def called_off(order, line_ids, refund_fen):
    _enqueue_on_commit(send_called_off_mail, order.pk, list(line_ids), refund_fen)


def nights_closed(record, line_ids):
    """The organiser closed nights (``organiser_cancel`` with ``nights``): whoever provides the rows
    (the homestay's host) is told which nights, why, and how many bookings were cancelled."""
    _enqueue_on_commit(send_nights_closed_mail, record.pk, list(line_ids))


def line_cancelled(order, line, quote):
    """The visitor cancelled ``line`` (``line_cancel``): they get what and what comes back, and
    whoever provides it (host, guide, farmer) is told, each in their language."""
    _enqueue_on_commit(
        send_line_cancelled_mail,
        order.pk,
        line.pk,
        quote.refund_fen,
        quote.paid_left_fen,
        quote.collect_less_fen,
    )


def stay_changed(order, old_line, new_line, quote):
    """The visitor moved a stay (``stay_change``): they get the new voucher and what the
    difference does; the host is told of the new dates, each in their language."""
    _enqueue_on_commit(
        send_stay_changed_mail,
        order.pk,
        old_line.pk,
        new_line.pk,
        quote.difference_fen,
        quote.refund_fen,
        quote.collect_less_fen,
        quote.pay_online,
    )


def waitlist_offer(entry):
    """A waiting visitor is offered what freed (``waitlist``): what, until when, and the link."""
    _enqueue_on_commit(send_waitlist_offer, entry.pk)


def reminder(order_id, line_ids):
    """The day-before reminder of ``line_ids`` (claimed by ``reminders.send_reminders``)."""
    _enqueue_on_commit(send_reminder, order_id, list(line_ids))


def balance_due(order, amount_fen, due_on):
    """The reminder before the balance date of an order paid in parts (``deposits``)."""
    _enqueue_on_commit(send_balance_due, order.pk, amount_fen, due_on.isoformat())


def _enqueue_on_commit(the_task, *args):
    transaction.on_commit(lambda: the_task.enqueue(*args))


# --- tasks ------------------------------------------------------------------------------------


@task()
def send_confirmation(order_id: int) -> bool:
    """The visitor's confirmation with vouchers, and each host's notice; once per order."""
    claimed = Order.objects.filter(pk=order_id, confirmation_sent_at__isnull=True).update(
        confirmation_sent_at=timezone.now()
    )
    if not claimed:
        return False
    order = Order.objects.select_related("user").get(pk=order_id)
    # Lines the organiser called off before the payment came have no voucher to send.
    lines = list(order.lines.filter(cancelled_at__isnull=True).select_related("voucher", "provider_user"))
    channels = channels_for(order.user)
    with translation.override(_visitor_language(order)):
        if channels.email:
            images = [
                (f"voucher-{line.voucher.code}", qr_png(line.voucher.code))
                for line in lines
                if hasattr(line, "voucher")
            ]
            _send(
                "confirmation",
                _("Your booking %(ref)s is confirmed") % {"ref": order.reference},
                channels.email,
                {"order": order, "lines": lines},
                images=images,
            )
        _sms(
            channels.sms,
            "order_confirmed",
            _visitor_language(order),
            ref=order.reference,
            url=short_url(order),
        )
    hosts = {}
    for line in lines:
        if line.provider_user_id:
            hosts.setdefault(line.provider_user, []).append(line)
    for host, host_lines in hosts.items():
        _tell_provider_of_booking(order, host, host_lines)
    return True


def _tell_provider_of_booking(order, host, host_lines):
    """The host's (guide's, farmer's) alert of their part of a new order, by their channels."""
    channels = channels_for(host)
    with translation.override(host.notice_language):
        if channels.email:
            _send(
                "host_notice",
                _("New booking %(ref)s") % {"ref": order.reference},
                channels.email,
                {"order": order, "lines": host_lines, "host": host, "manage_url": _manage_url(order)},
            )
        what, url = lines_in_words(host_lines), provider_short_url(order)
        if all(line.kind == ReservationKind.PRODUCT for line in host_lines):
            _sms(
                channels.sms,
                "provider_new_order",
                host.notice_language,
                ref=order.reference,
                what=what,
                url=url,
            )
        else:
            _sms(
                channels.sms,
                "provider_new_booking",
                host.notice_language,
                ref=order.reference,
                what=what,
                name=order.contact_name,
                phone=order.contact_phone,
                url=url,
            )


@task()
def send_order_mail(order_id: int, kind: str, refund_fen: int = 0, paid_fen: int | None = None) -> None:
    """``paid_fen``: what had been paid before a cancellation (0: nothing, so nothing to refund;
    None: not known)."""
    subjects = {
        "payment_failed": lambda ref: _("Your payment for %(ref)s did not go through") % {"ref": ref},
        "sold_out": lambda ref: (
            _("Sorry: %(ref)s could not be confirmed, your payment is refunded") % {"ref": ref}
        ),
        "cancelled": lambda ref: _("Your booking %(ref)s is cancelled") % {"ref": ref},
    }
    order = Order.objects.select_related("user").get(pk=order_id)
    channels = channels_for(order.user)
    language = _visitor_language(order)
    with translation.override(language):
        _send(
            kind,
            subjects[kind](order.reference),
            channels.email,
            {
                "order": order,
                "lines": list(order.lines.all()),
                "refund": format_fen(refund_fen, order.currency),
                "refund_fen": refund_fen,
                "nothing_paid": paid_fen == 0,
            },
        )
        # A failed payment is told on the page the visitor is on; the others come later.
        if kind == "sold_out":
            _sms(channels.sms, "order_sold_out", language, ref=order.reference, url=short_url(order))
        elif kind == "cancelled" and refund_fen:
            _sms(
                channels.sms,
                "order_cancelled_refund",
                language,
                ref=order.reference,
                amount=format_fen(refund_fen, order.currency),
                url=short_url(order),
            )
        elif kind == "cancelled":
            _sms(channels.sms, "order_cancelled", language, ref=order.reference, url=short_url(order))


@task()
def send_called_off_mail(order_id: int, line_ids: list, refund_fen: int) -> None:
    """The organiser cancelled some (or all) of what the visitor booked: what, why, what comes back."""
    order = Order.objects.select_related("user").get(pk=order_id)
    lines = list(order.lines.filter(pk__in=line_ids))
    kept = order.lines.filter(cancelled_at__isnull=True).exists()
    channels = channels_for(order.user)
    with translation.override(_visitor_language(order)):
        _sms(
            channels.sms,
            "order_called_off",
            _visitor_language(order),
            ref=order.reference,
            url=short_url(order),
        )
        _send(
            "called_off",
            _("Cancelled by the organiser: %(ref)s") % {"ref": order.reference},
            channels.email,
            {
                "order": order,
                "lines": lines,
                "reason": lines[0].cancel_reason if lines else "",
                "refund_fen": refund_fen,
                "refund": format_fen(refund_fen, order.currency),
                "order_goes_on": kept and order.status != OrderStatus.CANCELLED,
            },
        )


@task()
def send_nights_closed_mail(call_off_id: int, line_ids: list) -> None:
    """To each provider of the rows closed (``Inventory.providers``), in their language (the
    town's by default): the nights, the reason and how many of their bookings were cancelled."""
    from datetime import timedelta

    from .inventory import get_inventory
    from .models import CallOff, OrderLine

    record = CallOff.objects.get(pk=call_off_id)
    lines = list(OrderLine.objects.filter(pk__in=line_ids).only("pk", "provider_user_id"))
    for provider, rows in get_inventory(record.kind).providers(record.object_ids).items():
        channels = channels_for(provider)
        if not channels:
            continue
        context = {
            "call_off": record,
            "rows": rows,
            "first_night": record.first_night,
            "last_night": record.end_date - timedelta(days=1),
            "reason": record.reason,
            "cancelled": sum(1 for line in lines if line.provider_user_id == provider.pk),
        }
        language = getattr(provider, "language", "") or settings.LANGUAGE_CODE
        first, last = context["first_night"].isoformat(), context["last_night"].isoformat()
        with translation.override(language):
            _send(
                "provider_nights_closed",
                _("Closed by the tourism office: %(first)s – %(last)s") % {"first": first, "last": last},
                channels.email,
                context,
            )
            _sms(
                channels.sms,
                "provider_nights_closed",
                language,
                first=first,
                last=last,
                count=context["cancelled"],
            )


@task()
def send_line_cancelled_mail(
    order_id: int, line_id: int, refund_fen: int, paid_fen: int, collect_less_fen: int = 0
) -> None:
    """To the visitor: what they cancelled and what comes back; to the line's provider: what was
    cancelled (and, for some tickets given back, what the guest keeps)."""
    order = Order.objects.select_related("user").get(pk=order_id)
    line = order.lines.select_related("provider_user", "split_from").get(pk=line_id)
    kept = line.split_from if line.split_from_id and line.split_from.cancelled_at is None else None
    context = {
        "order": order,
        "lines": [line],
        "kept": kept,
        "refund_fen": refund_fen,
        "refund": format_fen(refund_fen, order.currency),
        "nothing_paid": paid_fen == 0,
        "collect_less": format_fen(collect_less_fen, order.currency) if collect_less_fen else "",
        "order_goes_on": order.status != OrderStatus.CANCELLED,
    }
    channels = channels_for(order.user)
    with translation.override(_visitor_language(order)):
        _send(
            "line_cancelled",
            _("You cancelled part of your booking %(ref)s") % {"ref": order.reference},
            channels.email,
            context,
        )
        _sms(
            channels.sms,
            "line_cancelled",
            _visitor_language(order),
            ref=order.reference,
            url=short_url(order),
        )
    provider = line.provider_user
    provider_channels = channels_for(provider)
    if provider_channels:
        with translation.override(provider.notice_language):
            _send(
                "provider_line_cancelled",
                _("Booking %(ref)s: the guest cancelled part of it") % {"ref": order.reference},
                provider_channels.email,
                context,
            )
            _sms(
                provider_channels.sms,
                "provider_line_cancelled",
                provider.notice_language,
                ref=order.reference,
                what=lines_in_words([line]),
                url=provider_short_url(order),
            )


@task()
def send_stay_changed_mail(
    order_id: int,
    old_line_id: int,
    new_line_id: int,
    difference_fen: int,
    refund_fen: int,
    collect_less_fen: int,
    pay_online: bool,
) -> None:
    """To the visitor: the stay as it now stands, its new voucher and what the difference does;
    to the host: the old and new dates (and room), and what is still to be collected."""
    order = Order.objects.select_related("user").get(pk=order_id)
    lines = {
        line.pk: line
        for line in order.lines.filter(pk__in=[old_line_id, new_line_id]).select_related(
            "voucher", "provider_user"
        )
    }
    old, new = lines[old_line_id], lines[new_line_id]
    context = {
        "order": order,
        "old": old,
        "lines": [new],
        "to_pay": format_fen(difference_fen, order.currency) if difference_fen > 0 else "",
        "pay_online": pay_online,
        "refund_fen": refund_fen,
        "refund": format_fen(refund_fen, order.currency),
        "collect_less": format_fen(collect_less_fen, order.currency) if collect_less_fen else "",
        "decrease": difference_fen < 0,
    }
    channels = channels_for(order.user)
    language = _visitor_language(order)
    with translation.override(language):
        _send(
            "stay_changed",
            _("Your booking %(ref)s: new dates") % {"ref": order.reference},
            channels.email,
            context,
            images=[(f"voucher-{new.voucher.code}", qr_png(new.voucher.code))],
        )
        _sms(
            channels.sms,
            "stay_changed",
            language,
            ref=order.reference,
            what=lines_in_words([new]),
            url=short_url(order),
        )
    provider = new.provider_user
    provider_channels = channels_for(provider)
    if provider_channels:
        with translation.override(provider.notice_language):
            _send(
                "provider_stay_changed",
                _("Booking %(ref)s: the guest changed the stay") % {"ref": order.reference},
                provider_channels.email,
                {**context, "manage_url": _manage_url(order)},
            )
            _sms(
                provider_channels.sms,
                "provider_stay_changed",
                provider.notice_language,
                ref=order.reference,
                what=lines_in_words([new]),
                url=provider_short_url(order),
            )


@task()
def send_reminder(order_id: int, line_ids: list) -> bool:
    """Tomorrow's lines of an order, where and when (each kind says it: ``LineKind.reminder``),
    by the visitor's channels, in the order's language. Lines of kinds with nothing to remind
    of are left out; an order with none of the others gets nothing."""
    from .lines import describing_kind

    order = Order.objects.select_related("user").get(pk=order_id)
    lines = list(order.lines.filter(pk__in=line_ids).select_related("voucher"))
    language = _visitor_language(order)
    with translation.override(language):
        by_kind = {}
        for line in lines:
            by_kind.setdefault(line.kind, []).append(line)
        words = {}
        for kind, kind_lines in by_kind.items():
            words.update(describing_kind(kind).reminder(kind_lines))
        reminded = [line for line in lines if words.get(line.pk)]
        if not reminded:
            return False
        for line in reminded:
            line.reminder_words = words[line.pk]
        channels = channels_for(order.user)
        _send(
            "reminder",
            _("Tomorrow: your booking %(ref)s") % {"ref": order.reference},
            channels.email,
            {"order": order, "lines": reminded, "url": short_url(order)},
        )
        what = "; ".join(words[line.pk] for line in reminded)
        if len(what) > 2 * SMS_WHAT_LENGTH:
            what = what[: 2 * SMS_WHAT_LENGTH - 1] + "…"
        _sms(channels.sms, "order_reminder", language, ref=order.reference, what=what, url=short_url(order))
    return True


@task()
def send_balance_due(order_id: int, amount_fen: int, due_on: str) -> None:
    """The balance of an order paid in parts, and its date, by the visitor's channels."""
    import datetime

    order = Order.objects.select_related("user").get(pk=order_id)
    language = _visitor_language(order)
    with translation.override(language):
        amount = format_fen(amount_fen, order.currency)
        date = date_format(datetime.date.fromisoformat(due_on), "DATE_FORMAT")
        channels = channels_for(order.user)
        context = {"order": order, "amount": amount, "date": date, "url": short_url(order)}
        _send(
            "balance_due",
            _("Balance due: your booking %(ref)s") % {"ref": order.reference},
            channels.email,
            context,
        )
        _sms(
            channels.sms,
            "balance_due",
            language,
            ref=order.reference,
            amount=amount,
            date=date,
            url=short_url(order),
        )


@task()
def send_refund_mail(refund_id: int) -> None:
    refund = Refund.objects.select_related("payment__order__user").get(pk=refund_id)
    order = refund.payment.order
    channels = channels_for(order.user)
    amount = format_fen(refund.amount_fen, refund.payment.currency)
    with translation.override(_visitor_language(order)):
        _send(
            "refund",
            _("Refund for %(ref)s") % {"ref": order.reference},
            channels.email,
            {"order": order, "refund": refund, "amount": amount},
        )
        _sms(
            channels.sms,
            "refund_issued",
            _visitor_language(order),
            ref=order.reference,
            amount=amount,
            url=short_url(order),
        )


@task()
def send_waitlist_offer(entry_id: int) -> None:
    from django.urls import reverse

    from .lines import describing_kind
    from .models import WaitlistEntry

    entry = WaitlistEntry.objects.select_related("user").get(pk=entry_id)
    channels = channels_for(entry.user)
    language = entry.language or settings.LANGUAGE_CODE
    with translation.override(language):
        line = entry.as_line()
        what = describing_kind(entry.kind).describe(line)
        until = timezone.localtime(entry.offer_expires_at)
        url = _absolute(reverse("orders_waitlist_offer", args=[entry.pk]))
        _send(
            "waitlist_offer",
            _("A place is free for you: %(what)s") % {"what": what},
            channels.email,
            {"entry": entry, "what": what, "until": until, "url": url},
        )
        _sms(
            channels.sms,
            "waitlist_offer",
            language,
            what=what if len(what) <= SMS_WHAT_LENGTH else what[: SMS_WHAT_LENGTH - 1] + "…",
            until=date_format(until, "SHORT_DATETIME_FORMAT"),
            url=url,
        )


def _absolute(path):
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).first()
    return site.root_url.rstrip("/") + path if site else path


def _manage_url(order):
    """The admin page where the host marks an on-site payment paid (absolute when the site is known)."""
    from django.urls import reverse
    from wagtail.models import Site

    path = reverse("orders_admin_manage", args=[order.pk])
    site = Site.objects.filter(is_default_site=True).first()
    return site.root_url.rstrip("/") + path if site else path


def _send(template, subject, to, context, *, images=()):
    if not to:  # an account signed up by mobile number, with no address yet
        return
    site = site_identity()
    context = {**context, "site_name": site.name}
    text = render_to_string(f"orders/email/{template}.txt", context)
    html = render_to_string(f"orders/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=email_subject(subject),
        body=text,
        to=[to],
    )
    message.attach_alternative(html, "text/html")
    if images:
        message.mixed_subtype = "related"
        for cid, data in images:
            image = MIMEImage(data, "png")
            image.add_header("Content-ID", f"<{cid}>")
            image.add_header("Content-Disposition", "inline", filename=f"{cid}.png")
            message.attach(image)
    message.send()
