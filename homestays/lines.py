"""The "stay" line kind: rooms of one room type for the nights [check-in, check-out).

Posted data: ``{"kind": "stay", "room_type_id": N, "check_in": "YYYY-MM-DD", "check_out":
"YYYY-MM-DD", "guests": N, "rooms": N}``. The price is ``pricing.quote`` (the room type's base and
weekend prices and its rate rules, night by night) times the rooms; nothing posted is a price.
"""

import datetime
from collections import defaultdict
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import time_format
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from orders.exceptions import DatesUnavailable, ReservationError, SoldOut
from orders.lines import (
    CleanedLine,
    LineInvalid,
    LineKind,
    LinePrice,
    LineSnapshot,
    Whereabouts,
    a_date,
    int_field,
    load_rows,
)
from orders.money import Money
from orders.reservations import Claim, local_today
from orders.selectors import claimed_units
from town.translations import content_language, in_language

from . import pricing
from .inventory import STAY, rules_for
from .models import HomestayPage, RoomType
from .selectors import free_rooms

MAX_ROOMS = 10  # rooms of one type in one line
MAX_LINE_GUESTS = MAX_ROOMS * 20  # guests of one line (the room types set the real limit)


def _live_room_types():
    return RoomType.objects.filter(page__live=True).select_related("page", "page__host")


def stay_words(check_in, check_out, guests, rooms=1):
    """ "20 March 2027 → 22 March 2027 · 2 nights · 2 guests" in the active language."""
    nights = (check_out - check_in).days if check_in and check_out else 0
    parts = [
        f"{date_format(check_in, 'DATE_FORMAT')} → {date_format(check_out, 'DATE_FORMAT')}",
        ngettext("%(n)d night", "%(n)d nights", nights) % {"n": nights},
        ngettext("%(n)d guest", "%(n)d guests", guests) % {"n": guests},
    ]
    if rooms > 1:
        parts.append(ngettext("%(n)d room", "%(n)d rooms", rooms) % {"n": rooms})
    return " · ".join(parts)


class StayBatch:
    """The room types of some stay lines, their rate rules and live claims over all their nights:
    four queries, the last two only when prices or availability are asked for."""

    def __init__(self, lines, now=None):
        self.now = now
        self.room_types = load_rows(STAY, {line.object_id for line in lines}, _live_room_types())
        dated = [line for line in lines if line.start_date and line.end_date]
        self.start = min((line.start_date for line in dated), default=None)
        self.end = max((line.end_date for line in dated), default=None)
        self._names = {}

    def room_type(self, line):
        return self.room_types.get(line.object_id)

    def names(self, line):
        """(homestay, room type) names of the line's room type in the active language; read for
        all the batch's room types at once (two queries in a language other than the default)."""
        language = content_language()
        if language not in self._names:
            found = [rt for rt in self.room_types.values() if rt is not None]
            rooms = in_language(found)
            pages = in_language({rt.page_id: rt.page for rt in found}.values())
            self._names[language] = {rt.pk: (pages[rt.page_id].title, rooms[rt.pk].name) for rt in found}
        room_type = self.room_type(line)
        return self._names[language].get(room_type.pk) if room_type is not None else None

    @cached_property
    def _ids(self):
        return sorted({rt.pk for rt in self.room_types.values() if rt is not None})

    @cached_property
    def rules(self):
        by_room_type = defaultdict(list)
        if self._ids and self.start is not None:
            for rule in rules_for(self._ids, self.start, self.end):
                by_room_type[rule.room_type_id].append(rule)
        return by_room_type

    @cached_property
    def claimed(self):
        if not self._ids or self.start is None:
            return {}
        return claimed_units(STAY, self._ids, self.start, self.end, now=self.now)

    def quote(self, line):
        room_type = self.room_type(line)
        if room_type is None:
            raise ReservationError(_("This room can no longer be booked."))
        return pricing.quote(room_type, line.start_date, line.end_date, self.rules[room_type.pk])


class StayLine(LineKind):
    kind = STAY
    is_a_stay = True
    changes_dates = True
    input_fields = {"room_type_id": int, "check_in": str, "check_out": str, "guests": int, "rooms": int}

    def prepare(self, lines, *, now=None):
        return StayBatch(lines, now)

    def validate(self, data):
        errors = {}
        room_type_id = int_field(
            errors, data, "room_type_id", maximum=2**53, message=_("Please choose a room.")
        )
        dates = {}
        for name in ("check_in", "check_out"):
            try:
                dates[name] = a_date(data, name)
            except LineInvalid as exc:
                errors.update(exc.errors)
        rooms = int_field(errors, data, "rooms", maximum=MAX_ROOMS, default=1) or 1
        guests = int_field(errors, data, "guests", maximum=MAX_LINE_GUESTS)
        if len(dates) == 2:
            check_in, check_out = dates["check_in"], dates["check_out"]
            if check_in < local_today():
                errors["check_in"] = _("Check-in cannot be in the past.")
            elif check_out <= check_in:
                errors["check_out"] = _("Check-out must be after check-in.")
            elif (check_out - check_in).days > pricing.MAX_NIGHTS:
                errors["check_out"] = _("A stay can be at most %(n)d nights.") % {"n": pricing.MAX_NIGHTS}
        room_type = None
        if room_type_id:
            room_type = load_rows(STAY, [room_type_id], _live_room_types())[room_type_id]
        if room_type_id and room_type is None:
            errors["room_type_id"] = _("This room does not exist.")
        if room_type is not None:
            if rooms > room_type.units:
                errors["rooms"] = _("This homestay has only %(n)d rooms of this type.") % {
                    "n": room_type.units
                }
            elif guests and guests > room_type.max_guests * rooms:
                errors["guests"] = _(
                    "This room sleeps at most %(n)d guests; choose more rooms or another room."
                ) % {"n": room_type.max_guests}
        if errors:
            raise LineInvalid(errors)
        return CleanedLine(
            kind=self.kind,
            object_id=room_type.pk,
            start_date=dates["check_in"],
            end_date=dates["check_out"],
            guests=guests,
            quantity=rooms,
        )

    def changed(self, order_line, *, start_date, end_date, object_id=None, now=None):
        """The stay on new dates, in the same room type or another of its homestay, for the same
        guests and rooms (``validate``'s rules: dates, rooms of the type, guests it sleeps)."""
        room_type_id = order_line.object_id if object_id is None else object_id
        cleaned = self.validate(
            {
                "room_type_id": room_type_id,
                "check_in": start_date,
                "check_out": end_date,
                "guests": order_line.guests,
                "rooms": order_line.quantity,
            }
        )
        if cleaned.object_id != order_line.object_id:
            page_id = RoomType.objects.filter(pk=cleaned.object_id).values_list("page_id", flat=True).first()
            if page_id != order_line.page_id_snapshot:
                raise LineInvalid({"room_type_id": _("Please choose a room of the same homestay.")})
        return cleaned

    def change_choices(self, order_line):
        """The homestay's live room types fitting the line's rooms and guests, named in the
        active language; the line's own first (two queries, three in a translated language)."""
        rows = list(
            RoomType.objects.filter(
                page_id=order_line.page_id_snapshot,
                page__live=True,
                units__gte=order_line.quantity,
            ).order_by("sort_order", "pk")
        )
        fitting = [rt for rt in rows if rt.max_guests * order_line.quantity >= order_line.guests]
        fitting.sort(key=lambda rt: rt.pk != order_line.object_id)
        names = in_language(fitting)
        return [(rt.pk, names[rt.pk].name) for rt in fitting]

    def price(self, line, batch=None):
        quote = self._batch(line, batch).quote(line)
        unit = Money(quote.total_fen)
        return LinePrice(
            total=unit * line.quantity,
            unit=unit,
            nights=quote.night_count,
            breakdown=[{"night": n.night.isoformat(), "price_fen": n.price_fen} for n in quote.nights],
        )

    def claims(self, line):
        return [Claim(self.kind, line.object_id, line.quantity, line.start_date, line.end_date)]

    def describe_parts(self, line, batch=None):
        names = self._batch(line, batch).names(line)
        name = " · ".join(names) if names else gettext("A room no longer offered")
        return name, stay_words(line.start_date, line.end_date, line.guests, line.quantity)

    def note_label(self, line=None):
        return gettext("Note for the host")

    def summary(self, order_line):
        return stay_words(order_line.start_date, order_line.end_date, order_line.guests, order_line.quantity)

    def where(self, order_lines):
        """The homestay of each stay line: its name, address and the phone that answers there
        (the homestay's contact phone, else its host's); one query."""
        ids = {line.page_id_snapshot for line in order_lines if line.page_id_snapshot}
        pages = HomestayPage.objects.select_related("host").in_bulk(ids) if ids else {}
        found = {}
        for line in order_lines:
            page = pages.get(line.page_id_snapshot)
            if page is None:
                found[line.pk] = Whereabouts(name=line.title)
                continue
            phone = page.contact_phone or (getattr(page.host, "phone", "") if page.host else "")
            found[line.pk] = Whereabouts(name=page.title, address=page.address, phone=phone)
        return found

    def reminder(self, order_lines):
        """ "check-in from 14:00 at 桃园小筑, 桃花村 8 号 (tel. 0571-…)": one query."""
        places = self.where(order_lines)
        found = {}
        for line in order_lines:
            place = places.get(line.pk)
            words = gettext("check-in from %(time)s at %(place)s") % {
                "time": time_format(timezone.localtime(line.starts_at), "H:i") if line.starts_at else "",
                "place": line.title_in(),
            }
            if place is not None and place.address:
                words += ", " + place.address
            if place is not None and place.phone:
                words += " " + gettext("(tel. %(phone)s)") % {"phone": place.phone}
            found[line.pk] = words
        return found

    def check(self, line, batch=None, *, now=None):
        batch = self._batch(line, batch, now)
        room_type = batch.room_type(line)
        if room_type is None:
            raise ReservationError(gettext("This room can no longer be booked."))
        if line.start_date < local_today(now):
            raise DatesUnavailable(gettext("These dates are in the past."))
        quote = batch.quote(line)
        if free_rooms(room_type, quote.nights, batch.claimed) < line.quantity:
            raise SoldOut()

    def seller(self, snapshot):
        # Owed the money: the homestay's host, whom the snapshot already names.
        return snapshot.provider_user

    def snapshot(self, line, batch=None):
        room_type = self._batch(line, batch).room_type(line)
        if room_type is None:
            raise ReservationError(_("This room can no longer be booked."))
        page = room_type.page
        ways = set()
        if page.accepts_payment_on_site:
            ways.add("offline")
        if page.accepts_online_payment:
            ways.add("online")
        starts_at = datetime.datetime.combine(
            line.start_date, page.check_in_time, tzinfo=ZoneInfo(settings.TIME_ZONE)
        )
        translated_title, translated_item_name = self._batch(line, batch).names(line)
        return LineSnapshot(
            title=page.title,
            item_name=room_type.name,
            translated_title=translated_title,
            translated_item_name=translated_item_name,
            cancellation_policy=page.cancellation_policy,
            starts_at=starts_at,
            provider_user=page.host,
            page_id=page.pk,
            village_id=page.village_id,
            payment_ways=ways,
        )
