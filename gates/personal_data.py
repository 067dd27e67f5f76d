"""gates' part of a person's data (accounts.personal_data): the people named on their timed
entries (name and masked ID number, never the number itself) and each one's pass for the day.

Deleting the account removes the holders from those entries and the fingerprints of their passes
(``retention.forget_account_holders``); the numbers of people stay for the daily figures."""

from django.utils import timezone

from accounts.personal_data import Section, register
from orders.models import OrderLine, Reservation

from .inventory import ENTRY, ENTRY_ID
from .models import EntryPass
from .retention import forget_account_holders


def export(user):
    lines = list(
        OrderLine.objects.filter(order__user=user, kind=ENTRY)
        .select_related("order", "voucher")
        .order_by("start_date", "pk")
    )
    claims = list(
        Reservation.objects.filter(kind=ENTRY_ID, order_line__in=lines)
        .order_by("pk")
        .values("order_line_id", "object_id", "status")
    )
    passes = EntryPass.objects.in_bulk({c["object_id"] for c in claims})
    by_line = {}
    for claim in claims:
        entry_pass = passes.get(claim["object_id"])
        if entry_pass is not None:
            by_line.setdefault(claim["order_line_id"], []).append(
                {"date": entry_pass.date.isoformat(), "claim": claim["status"]}
            )
    return [
        {
            "order": line.order.reference,
            "spot": line.title_in(),
            "window": line.item_name_in(),
            "date": line.start_date.isoformat() if line.start_date else None,
            "people": line.quantity,
            "holders": [
                {
                    "name": h.get("name", ""),
                    "id_type": h.get("id_type", ""),
                    "id_number": h.get("id_masked", ""),
                }
                for h in (line.options or {}).get("holders", [])
            ],
            "passes": by_line.get(line.pk, []),
            "admitted_at": _admitted_at(line),
        }
        for line in lines
    ]


def _admitted_at(line):
    voucher = getattr(line, "voucher", None)
    used = getattr(voucher, "used_at", None) if voucher else None
    return timezone.localtime(used).isoformat() if used else None


def erase(user):
    forget_account_holders(user)


def register_section():
    register(Section("timed_entry", export=export, erase=erase))
