"""The "entry" line kind: people entering a scenic spot in one timed window.

Posted data: ``{"kind": "entry", "window_id": N, "people": N}``; at a real-name spot instead
``"holders": [{"name": "...", "id_number": "...", "id_type": "id_card" | "passport"}]``, one
per person (people = holders). Each ID number is checked (GB 11643 check digit and birth date,
or a passport's shape), kept sealed (``idcards.seal``) with its keyed fingerprint and its masked
form in the line's options: the plain number is never stored.

A line claims, per person, one unit of its window and one of its day, and for each holder the
pass of that ID for the day (``inventory``), so the caps and "one entry per ID per day" are kept
by the reservation core under its locks. Price = people × the rule's price, on the server.
"""

from functools import cached_property

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateformat import time_format
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from orders.exceptions import DatesUnavailable, ReservationError, SoldOut
from orders.lines import CleanedLine, LineInvalid, LineKind, LinePrice, LineSnapshot, int_field
from orders.money import Money
from orders.reservations import Claim
from orders.selectors import claimed_units
from town.translations import content_language, in_language

from . import idcards
from .inventory import (
    DAY_FULL,
    DAY_LEFT,
    ENTRY,
    ENTRY_DAY,
    ENTRY_ID,
    WINDOW_FULL,
    WINDOW_LEFT,
    refuse_beyond,
    spot_is_full,
)
from .models import EntryPass, EntryWindow

MAX_NAME = 40


class HolderIn(Schema):
    """One person of a real-name entry."""

    name: str
    id_number: str
    id_type: str = idcards.ID_CARD


def _windows():
    return EntryWindow.objects.select_related("rule", "rule__spot", "day")


def window_words(window, people):
    """ "20 March 2027, 09:00–10:00 · 2 people" in the active language."""
    start, end = timezone.localtime(window.starts_at), timezone.localtime(window.ends_at)
    when = f"{date_format(start, 'DATE_FORMAT')} {time_format(start, 'H:i')}–{time_format(end, 'H:i')}"
    return f"{when} · " + ngettext("%(n)d person", "%(n)d people", people) % {"n": people}


def clean_holders(value, *, expected_max, today=None) -> list[dict]:
    """The posted holders as stored: name, id type, sealed number, fingerprint, masked number.
    ``LineInvalid`` naming the holder (``holders.0.id_number``) that is wrong."""
    if not isinstance(value, (list, tuple)) or not value:
        raise LineInvalid({"holders": _("Please give the name and ID number of each visitor.")})
    if len(value) > expected_max:
        raise LineInvalid({"holders": _("At most %(n)d people per booking.") % {"n": expected_max}})
    errors, holders, seen = {}, [], set()
    for i, item in enumerate(value):
        if hasattr(item, "dict"):
            item = item.dict()
        if not isinstance(item, dict):
            errors[f"holders.{i}"] = _("Please give a name and an ID number.")
            continue
        name = " ".join(str(item.get("name") or "").split())
        id_type = item.get("id_type") or idcards.ID_CARD
        if not name or len(name) > MAX_NAME:
            errors[f"holders.{i}.name"] = _(
                "Please give the visitor's name as on the ID (up to %(n)d characters)."
            ) % {"n": MAX_NAME}
        try:
            number = idcards.clean_number(id_type, item.get("id_number"), today=today)
        except idcards.BadIdNumber as exc:
            errors[f"holders.{i}.id_number"] = exc.message
            continue
        digest = idcards.fingerprint(id_type, number)
        if digest in seen:
            errors[f"holders.{i}.id_number"] = _("This ID number is given twice: one entry per person.")
            continue
        seen.add(digest)
        holders.append(
            {
                "name": name,
                "id_type": id_type,
                "id_masked": idcards.mask(number),
                "id_sealed": idcards.seal(number),
                "id_hash": digest,
            }
        )
    if errors:
        raise LineInvalid(errors)
    return holders


def unavailable(window, *, now=None):
    """The ``ReservationError`` that keeps ``window`` (None: gone) from being booked now, or None."""
    if window is None:
        return ReservationError(gettext("This entry time can no longer be booked."))
    if not window.rule.active or not window.rule.spot.live:
        return DatesUnavailable(gettext("This spot is not taking reservations now."))
    if window.ends_at <= (now or timezone.now()):
        return DatesUnavailable(gettext("This entry window is over; please choose a later one."))
    return None


class EntryBatch:
    """The windows of some entry lines with their rules and spots (one query); the live claims
    on windows, days and ID passes (three more) when availability is asked for."""

    def __init__(self, lines, now=None):
        self.lines = lines
        self.now = now
        ids = {line.object_id for line in lines if isinstance(line.object_id, int)}
        self.windows = _windows().in_bulk(ids) if ids else {}
        self._titles = {}

    def window(self, line):
        return self.windows.get(line.object_id)

    def title(self, line):
        language = content_language()
        if language not in self._titles:
            spots = {w.rule.spot_id: w.rule.spot for w in self.windows.values()}
            self._titles[language] = {pk: page.title for pk, page in in_language(spots.values()).items()}
        window = self.window(line)
        return self._titles[language].get(window.rule.spot_id) if window is not None else None

    @cached_property
    def claimed(self):
        ids = sorted(self.windows)
        return claimed_units(ENTRY, ids, now=self.now) if ids else {}

    @cached_property
    def claimed_days(self):
        ids = sorted({w.day_id for w in self.windows.values()})
        return claimed_units(ENTRY_DAY, ids, now=self.now) if ids else {}

    @cached_property
    def taken_ids(self):
        """{(rule id, date, id hash)} of the documents that already have a live entry."""
        wanted = {
            (w.rule_id, w.day.date, h["id_hash"])
            for line in self.lines
            if (w := self.window(line)) is not None
            for h in (line.options or {}).get("holders", [])
        }
        if not wanted:
            return set()
        passes = {
            p.pk: (p.rule_id, p.date, p.id_hash)
            for p in EntryPass.objects.filter(
                rule_id__in={k[0] for k in wanted}, id_hash__in={k[2] for k in wanted}
            )
        }
        claimed = claimed_units(ENTRY_ID, sorted(passes), now=self.now) if passes else {}
        return {key for pk, key in passes.items() if claimed.get(pk, 0) > 0 and key in wanted}


class EntryLine(LineKind):
    kind = ENTRY
    input_fields = {"window_id": int, "people": int, "holders": list[HolderIn]}

    def prepare(self, lines, *, now=None):
        return EntryBatch(lines, now)

    def validate(self, data):
        errors = {}
        window_id = int_field(
            errors, data, "window_id", maximum=2**53, message=_("Please choose an entry time.")
        )
        window = _windows().filter(pk=window_id).first() if window_id else None
        if window_id and window is None:
            errors["window_id"] = _("This entry time can no longer be booked.")
        elif window is not None:
            refused = unavailable(window)
            if refused is not None:
                errors["window_id"] = refused.message
        if errors:
            raise LineInvalid(errors)
        rule = window.rule
        options = {"day_id": window.day_id}
        if rule.real_name:
            holders = clean_holders(data.get("holders"), expected_max=rule.max_per_booking)
            people = len(holders)
            options["holders"] = holders
        else:
            people = int_field(
                errors,
                data,
                "people",
                maximum=rule.max_per_booking,
                message=_("Please give a number of people from 1 to %(n)d.") % {"n": rule.max_per_booking},
            )
            if errors:
                raise LineInvalid(errors)
        day = timezone.localtime(window.starts_at).date()
        return CleanedLine(
            kind=self.kind,
            object_id=window.pk,
            start_date=day,
            guests=people,
            quantity=people,
            options=options,
        )

    def public_options(self, options):
        # The sealed number and its fingerprint stay on the server: the visitor sees the mask.
        holders = [
            {"name": h.get("name"), "id_type": h.get("id_type"), "id_masked": h.get("id_masked")}
            for h in options.get("holders", [])
        ]
        return {**options, "holders": holders} if holders else options

    @staticmethod
    def holders(line):
        return (line.options or {}).get("holders", [])

    def price(self, line, batch=None):
        window = self._batch(line, batch).window(line)
        if window is None:
            raise ReservationError(_("This entry time can no longer be booked."))
        unit = Money(window.rule.price_fen)
        return LinePrice(
            total=Money(window.rule.price_fen * line.quantity),
            unit=unit,
            breakdown=[{"who": "person", "count": line.quantity, "unit_fen": window.rule.price_fen}],
        )

    def check(self, line, batch=None, *, now=None):
        batch = self._batch(line, batch, now)
        window = batch.window(line)
        refused = unavailable(window, now=now)
        if refused is not None:
            raise refused
        refuse_beyond(
            window.capacity - batch.claimed.get(window.pk, 0), line.quantity, WINDOW_FULL, WINDOW_LEFT
        )
        day_left = window.rule.per_day - batch.claimed_days.get(window.day_id, 0)
        refuse_beyond(day_left, line.quantity, DAY_FULL, DAY_LEFT)
        if window.day.date == timezone.localdate(now) and spot_is_full(window.rule.spot_id):
            raise SoldOut(gettext("The spot is full right now: no more entries for today."))
        for holder in self.holders(line):
            if (window.rule_id, window.day.date, holder["id_hash"]) in batch.taken_ids:
                raise SoldOut(
                    gettext("%(id)s already has an entry to this spot on that day (one per person per day).")
                    % {"id": holder["id_masked"]}
                )

    def claims(self, line):
        """Window, day and each holder's pass. The passes are made here if need be (inside the
        checkout's transaction, so a refused checkout leaves none): the unique constraint makes
        two checkouts of one ID share one row, which the core then locks and counts."""
        window = EntryWindow.objects.select_related("day").filter(pk=line.object_id).first()
        if window is None:
            # The core refuses a claim on a row that does not exist.
            return [Claim(self.kind, line.object_id, line.quantity)]
        claims = [
            Claim(self.kind, window.pk, line.quantity),
            Claim(ENTRY_DAY, window.day_id, line.quantity),
        ]
        for holder in self.holders(line):
            entry_pass, _created = EntryPass.objects.get_or_create(
                rule_id=window.rule_id, date=window.day.date, id_hash=holder["id_hash"]
            )
            claims.append(Claim(ENTRY_ID, entry_pass.pk, 1))
        return claims

    def describe_parts(self, line, batch=None):
        batch = self._batch(line, batch)
        window = batch.window(line)
        if window is None:
            return gettext("An entry no longer offered"), ngettext(
                "%(n)d person", "%(n)d people", line.quantity
            ) % {"n": line.quantity}
        details = window_words(window, line.quantity)
        names = ", ".join(f"{h['name']} {h['id_masked']}" for h in self.holders(line))
        return batch.title(line), f"{details} · {names}" if names else details

    def note_label(self, line=None):
        return gettext("Note for the gate")

    def heading(self, order_line):
        return order_line.title_in()

    def summary(self, order_line):
        parts = [order_line.item_name_in()] if order_line.item_name_in() else []
        parts.append(
            ngettext("%(n)d person", "%(n)d people", order_line.quantity) % {"n": order_line.quantity}
        )
        parts += [f"{h['name']} {h['id_masked']}" for h in self.holders(order_line)]
        return " · ".join(parts)

    def snapshot(self, line, batch=None):
        batch = self._batch(line, batch)
        window = batch.window(line)
        if window is None:
            raise ReservationError(_("This entry time can no longer be booked."))
        spot = window.rule.spot
        start, end = timezone.localtime(window.starts_at), timezone.localtime(window.ends_at)

        def when():
            return (
                f"{date_format(start, 'DATE_FORMAT')} {time_format(start, 'H:i')}–{time_format(end, 'H:i')}"
            )

        with translation.override(settings.LANGUAGE_CODE):
            item_name = when()
        return LineSnapshot(
            title=spot.title,
            item_name=item_name,
            translated_title=batch.title(line),
            translated_item_name=when(),
            cancellation_policy=window.rule.cancellation_policy,
            starts_at=window.starts_at,
            page_id=spot.pk,
            village_id=spot.village_id,
        )
