"""How long real-name entry keeps ID numbers, and forgetting them (PIPL art. 19: no longer than
the purpose needs).

A holder's number is needed at the gate on the visit day, and a few days after it to answer a
complaint or an inquiry about that visit. ``GATES_ID_RETENTION_DAYS`` days after the visit day
``purge_id_numbers`` removes, from the entry lines of that day and older:

* the sealed number (``id_sealed``);
* its fingerprint (``id_hash``) on the lines and on the day's ``EntryPass`` rows: the ID numbers
  are few enough that whoever holds the key could find a number from its fingerprint by trying
  them all, so it goes too (it only served "one entry per ID per day", for a day now past).

What stays: the holder's name and masked number (3301**********1234) on the order, and every
count the daily figures read (lines, people, the window, day and pass claims). A visitor's
basket lines for such a day are deleted: their window is long over, nothing can be bought from
them. The gate then answers from what stays: a pass of a past day is refused as not today's, and
the holder is shown masked.

``forget_account_holders`` is the same, sooner and more thorough, for a deleted account
(``gates.personal_data``).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from orders.models import BasketLine, OrderLine, Reservation

from .inventory import ENTRY, ENTRY_ID
from .models import EntryPass

# A week after the visit day: enough to answer a complaint, a lost-and-found or a police inquiry
# about the day of the visit (they come within days), short enough that a leaked database holds
# almost no numbers. The gate itself needs them on the visit day only (0 would do for it).
DEFAULT_RETENTION_DAYS = 7

# What a forgotten pass's fingerprint becomes: unique (the pass's own pk), and never the shape of a
# fingerprint (64 hex characters), so no number can match it.
FORGOTTEN = "forgotten:"

# The keys of a holder that can lead back to the number.
SECRET_KEYS = ("id_sealed", "id_hash")


@dataclass
class PurgeResult:
    cutoff: datetime.date
    lines: int = 0
    passes: int = 0
    basket_lines: int = 0


def retention_days() -> int:
    days = getattr(settings, "GATES_ID_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    if not isinstance(days, int) or days < 0:
        raise ImproperlyConfigured("GATES_ID_RETENTION_DAYS must be a whole number of days, 0 or more.")
    return days


def purge_cutoff(today=None) -> datetime.date:
    """Visit days before this one have their numbers removed."""
    return (today or timezone.localdate()) - datetime.timedelta(days=retention_days())


def _with_secrets():
    # Every holder of a line is written with both keys and loses both at once: the first tells.
    return Q(options__holders__0__has_key="id_sealed") | Q(options__holders__0__has_key="id_hash")


def without_secrets(holders) -> list[dict]:
    return [{k: v for k, v in holder.items() if k not in SECRET_KEYS} for holder in holders or []]


def _forget_lines(lines) -> int:
    count = 0
    for line in lines.filter(_with_secrets()).only("pk", "options").iterator():
        options = dict(line.options)
        options["holders"] = without_secrets(options.get("holders"))
        OrderLine.objects.filter(pk=line.pk).update(options=options)
        count += 1
    return count


def _forget_passes(passes) -> int:
    return passes.exclude(id_hash__startswith=FORGOTTEN).update(
        id_hash=Concat(Value(FORGOTTEN), Cast("pk", CharField()), output_field=CharField())
    )


def purge_id_numbers(*, today=None) -> PurgeResult:
    """Remove the ID numbers of entries whose day is over by more than the retention days."""
    result = PurgeResult(cutoff=purge_cutoff(today))
    with transaction.atomic():
        result.lines = _forget_lines(OrderLine.objects.filter(kind=ENTRY, start_date__lt=result.cutoff))
        result.passes = _forget_passes(EntryPass.objects.filter(date__lt=result.cutoff))
        result.basket_lines, _kinds = BasketLine.objects.filter(
            kind=ENTRY, start_date__lt=result.cutoff
        ).delete()
    return result


def forget_account_holders(user, *, now=None) -> None:
    """A deleted account's entries: the holders go altogether (names and masks too: nothing that
    says who came), and the fingerprints of their passes, unless another order holds a live
    claim on a pass (the same person booked again by someone else: that booking keeps it).
    The numbers of people stay for the figures."""
    now = now or timezone.now()
    lines = OrderLine.objects.filter(order__user=user, kind=ENTRY)
    for line in lines.filter(options__has_key="holders").only("pk", "options").iterator():
        options = {k: v for k, v in line.options.items() if k != "holders"}
        OrderLine.objects.filter(pk=line.pk).update(options=options)
    pass_ids = set(
        Reservation.objects.filter(kind=ENTRY_ID, order_line__in=lines).values_list("object_id", flat=True)
    )
    kept = set(
        Reservation.objects.live(now)
        .filter(kind=ENTRY_ID, object_id__in=pass_ids)
        .exclude(order_line__in=lines)
        .values_list("object_id", flat=True)
    )
    _forget_passes(EntryPass.objects.filter(pk__in=pass_ids - kept))
