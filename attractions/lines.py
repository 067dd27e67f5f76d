"""The "tour" line kind: seats on one tour slot (or pitches on one camping night).

Posted data: ``{"kind": "tour", "slot_id": N, "adults": N, "children": N, "child_ages": [N, ...]}``.

* At least one adult: children come with an adult.
* ``child_ages`` is optional. It is required when the experience has a minimum age, or a
  maximum age for children; each age must fit those limits and be under the experience's child
  age (older is an adult). Children younger than ``free_under_age`` come free, which the server
  can only know from their ages: without ages every child pays the child price.
* Price = adults × adult price + paying children × child price, from the server only.
* Quantity (units taken from the slot) = adults + children; for camping it is the pitches,
  ceil(people / people per pitch).
"""

import math
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateformat import time_format
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from orders.exceptions import CalledOff, DatesUnavailable, ReservationError, SoldOut
from orders.lines import CleanedLine, LineInvalid, LineKind, LinePrice, LineSnapshot, int_field, load_rows
from orders.money import Money
from orders.reservations import Claim
from orders.selectors import claimed_units
from town.translations import content_language, in_language

from .inventory import TOUR
from .models import TourSlot, TourSlotStatus

MAX_PEOPLE = 50


def _count(data, name, *, default):
    value = data.get(name, default)
    if value in (None, ""):
        value = default
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PEOPLE:
        raise LineInvalid({name: _("Please give a whole number from 0 to %(n)d.") % {"n": MAX_PEOPLE}})
    return value


def _ages(data, children):
    """The children's ages as a list of ints, or None when not given."""
    value = data.get("child_ages")
    if value in (None, "", []):
        return None
    if isinstance(value, str):
        value = [part for part in value.replace("，", ",").split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or len(value) > MAX_PEOPLE:
        raise LineInvalid({"child_ages": _("Please give the children's ages as a list of numbers.")})
    ages = []
    for item in value:
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item.strip())
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 17:
            raise LineInvalid({"child_ages": _("Each child's age must be a whole number from 0 to 17.")})
        ages.append(item)
    if len(ages) != children:
        raise LineInvalid({"child_ages": _("Please give one age for each child.")})
    return ages


def units_for(experience, adults, children):
    """Units a booking takes from its slot: people, or for camping the pitches they need."""
    people = adults + children
    if experience.is_camping:
        return math.ceil(people / max(1, experience.people_per_pitch))
    return people


def paying_children(experience, children, ages):
    if ages is None or not experience.free_under_age:
        return children
    return sum(1 for age in ages if age >= experience.free_under_age)


def tour_price(experience, adults, children, ages=None) -> LinePrice:
    paying = paying_children(experience, children, ages)
    adult_total = experience.price_adult_fen * adults
    child_total = experience.price_child_fen * paying
    total = Money(adult_total + child_total)
    breakdown = [{"who": "adult", "count": adults, "unit_fen": experience.price_adult_fen}]
    if children:
        breakdown.append({"who": "child", "count": paying, "unit_fen": experience.price_child_fen})
        if children > paying:
            breakdown.append({"who": "free_child", "count": children - paying, "unit_fen": 0})
    unit = Money(experience.price_adult_fen if adults else experience.price_child_fen)
    return LinePrice(total=total, unit=unit, breakdown=breakdown)


def check_ages(experience, children, ages):
    """Raise LineInvalid unless the children fit the experience's age rules."""
    if not children:
        return
    needs_ages = experience.min_age > 0 or experience.max_age is not None
    if ages is None:
        if needs_ages:
            raise LineInvalid({"child_ages": age_rule_text(experience)})
        return
    for age in ages:
        if age >= experience.child_until_age:
            raise LineInvalid(
                {
                    "child_ages": _("From %(n)d years on, please count them as an adult.")
                    % {"n": experience.child_until_age}
                }
            )
        if age < experience.min_age or (experience.max_age is not None and age > experience.max_age):
            raise LineInvalid({"child_ages": age_rule_text(experience)})


def age_rule_text(experience):
    if experience.max_age is not None:
        return gettext(
            "This experience is for children aged %(min)d to %(max)d; please give each child's age."
        ) % {
            "min": experience.min_age,
            "max": experience.max_age,
        }
    return gettext("This experience is for ages %(min)d and over; please give each child's age.") % {
        "min": experience.min_age
    }


def local_dt(value):
    return timezone.localtime(value, ZoneInfo(settings.TIME_ZONE))


def _slots():
    return TourSlot.objects.select_related("experience", "experience__meeting_point", "experience__owner")


def people_words(adults, children):
    """ "1 adult, 1 child" (zh: "1 位成人、1 位儿童")."""
    adult_words = ngettext("%(n)d adult", "%(n)d adults", adults) % {"n": adults}
    if not children:
        return adult_words
    child_words = ngettext("%(n)d child", "%(n)d children", children) % {"n": children}
    return gettext("%(adults)s, %(children)s") % {"adults": adult_words, "children": child_words}


def tour_words(starts_at, adults, children, pitches=None):
    """ "20 March 2027, 09:00 · 1 adult, 1 child" in the active language."""
    parts = [date_format(local_dt(starts_at), "DATETIME_FORMAT")] if starts_at else []
    parts.append(people_words(adults, children))
    if pitches:
        parts.append(ngettext("%(n)d pitch", "%(n)d pitches", pitches) % {"n": pitches})
    return " · ".join(parts)


def _in_default_language(make):
    with translation.override(settings.LANGUAGE_CODE):
        return make()


class TourBatch:
    """The slots of some tour lines with their experiences (two queries), and their live claims
    (one more, when availability is asked for)."""

    def __init__(self, lines, now=None):
        self.now = now
        self.slots = load_rows(TOUR, {line.object_id for line in lines}, _slots())
        self._titles = {}

    def slot(self, line):
        return self.slots.get(line.object_id)

    def title(self, line):
        """The experience's title in the active language (one query for the batch in a language
        other than the default)."""
        language = content_language()
        if language not in self._titles:
            found = {slot.experience_id: slot.experience for slot in self.slots.values() if slot is not None}
            pages = in_language(found.values())
            self._titles[language] = {pk: page.title for pk, page in pages.items()}
        slot = self.slot(line)
        return self._titles[language].get(slot.experience_id) if slot is not None else None

    @cached_property
    def claimed(self):
        ids = sorted({slot.pk for slot in self.slots.values() if slot is not None})
        return claimed_units(TOUR, ids, now=self.now) if ids else {}


def unavailable(slot, *, now=None):
    """The ``ReservationError`` that keeps ``slot`` (None: gone) from being booked now, or None."""
    if slot is None:
        return ReservationError(gettext("This tour time can no longer be booked."))
    if not slot.experience.live:
        return ReservationError(gettext("This experience can no longer be booked."))
    if slot.status == TourSlotStatus.CANCELLED:
        return CalledOff(gettext("This tour has been cancelled."))
    if slot.starts_at <= (now or timezone.now()):
        return DatesUnavailable(gettext("This tour has already started; please choose a later time."))
    return None


class TourLine(LineKind):
    kind = TOUR
    input_fields = {"slot_id": int, "adults": int, "children": int, "child_ages": list[int]}

    def prepare(self, lines, *, now=None):
        return TourBatch(lines, now)

    def validate(self, data):
        errors = {}
        slot_id = int_field(errors, data, "slot_id", maximum=2**53, message=_("Please choose a time."))
        counts = {}
        for name, default in (("adults", None), ("children", 0)):
            try:
                counts[name] = _count(data, name, default=default)
            except LineInvalid as exc:
                errors.update(exc.errors)
        adults, children = counts.get("adults"), counts.get("children")
        if adults is not None and children is not None and adults < 1:
            errors["adults"] = _("Children must come with at least one adult.")
        ages = None
        if children is not None:
            try:
                ages = _ages(data, children)
            except LineInvalid as exc:
                errors.update(exc.errors)
        slot = load_rows(TOUR, [slot_id], _slots())[slot_id] if slot_id else None
        if slot_id and not errors.get("slot_id"):
            refused = unavailable(slot)
            if refused is not None:
                errors["slot_id"] = refused.message
        if not errors:
            experience = slot.experience
            try:
                check_ages(experience, children, ages)
            except LineInvalid as exc:
                errors.update(exc.errors)
            units = units_for(experience, adults, children)
            if units > slot.effective_capacity:
                if experience.is_camping:
                    errors["adults"] = _("A night has %(n)d pitches at most.") % {
                        "n": slot.effective_capacity
                    }
                else:
                    errors["adults"] = _("This tour takes %(n)d people at most.") % {
                        "n": slot.effective_capacity
                    }
        if errors:
            raise LineInvalid(errors)
        start = local_dt(slot.starts_at).date()
        end = local_dt(slot.ends_at).date()
        options = {"adults": adults, "children": children}
        if ages is not None:
            options["child_ages"] = ages
        return CleanedLine(
            kind=self.kind,
            object_id=slot.pk,
            start_date=start,
            end_date=end if end > start else None,
            guests=adults + children,
            quantity=units_for(slot.experience, adults, children),
            options=options,
        )

    @staticmethod
    def _people(line):
        options = line.options or {}
        adults = options.get("adults", line.guests)
        children = options.get("children", 0)
        return int(adults or 0), int(children or 0), options.get("child_ages")

    def price(self, line, batch=None):
        slot = self._batch(line, batch).slot(line)
        if slot is None:
            raise ReservationError(_("This tour time can no longer be booked."))
        adults, children, ages = self._people(line)
        return tour_price(slot.experience, adults, children, ages)

    def claims(self, line):
        return [Claim(self.kind, line.object_id, line.quantity)]

    def describe_parts(self, line, batch=None):
        batch = self._batch(line, batch)
        slot = batch.slot(line)
        adults, children, _ages_ = self._people(line)
        if slot is None:
            return gettext("A tour no longer offered"), people_words(adults, children)
        pitches = line.quantity if slot.experience.is_camping else None
        return batch.title(line), tour_words(slot.starts_at, adults, children, pitches)

    def note_label(self, line=None):
        return gettext("Note for the guide")

    def heading(self, order_line):
        # The item kept is the tour's time, which the summary says with the people.
        return order_line.title_in()

    def summary(self, order_line):
        adults, children, _ages_ = self._people(order_line)
        # Camping lines count pitches apart from people (see units_for).
        pitches = order_line.quantity if order_line.quantity != adults + children else None
        return tour_words(order_line.starts_at, adults, children, pitches)

    def check(self, line, batch=None, *, now=None):
        batch = self._batch(line, batch, now)
        slot = batch.slot(line)
        refused = unavailable(slot, now=now)
        if refused is not None:
            raise refused
        left = slot.effective_capacity - batch.claimed.get(slot.pk, 0)
        if line.quantity > left:
            if left <= 0:
                raise SoldOut(gettext("This tour is sold out; please choose another time."))
            raise SoldOut(
                ngettext(
                    "Only %(n)d place is left on this tour.", "Only %(n)d places are left on this tour.", left
                )
                % {"n": left}
            )

    def reminder(self, order_lines):
        """ "09:00, meet at 桃花谷 (at the main gate)": the experience's meeting point in the active
        language; two queries."""
        slots = load_rows(TOUR, {line.object_id for line in order_lines}, _slots())
        points = in_language(
            {
                s.experience.meeting_point
                for s in slots.values()
                if s is not None and s.experience.meeting_point
            }
        )
        found = {}
        for line in order_lines:
            slot = slots.get(line.object_id)
            words = time_format(local_dt(line.starts_at), "H:i") if line.starts_at else ""
            experience = slot.experience if slot is not None else None
            point = (
                points.get(experience.meeting_point_id)
                if experience and experience.meeting_point_id
                else None
            )
            if point is not None or (experience and experience.meeting_note):
                where = " ".join(
                    part for part in (point.title if point else "", experience.meeting_note) if part
                )
                words = gettext("%(time)s, meet at %(where)s") % {"time": words, "where": where}
            found[line.pk] = f"{line.title_in()} {words}".strip()
        return found

    def seller(self, snapshot):
        # Owed the money: whoever runs the tour (its page's owner), whom the snapshot names.
        return snapshot.provider_user

    def snapshot(self, line, batch=None):
        slot = self._batch(line, batch).slot(line)
        if slot is None:
            raise ReservationError(_("This tour time can no longer be booked."))
        page = slot.experience
        when = date_format(local_dt(slot.starts_at), "DATETIME_FORMAT")
        return LineSnapshot(
            title=page.title,
            # The time, as the tour's staff read it (default language) and as the visitor did.
            item_name=_in_default_language(lambda: date_format(local_dt(slot.starts_at), "DATETIME_FORMAT")),
            translated_title=self._batch(line, batch).title(line),
            translated_item_name=when,
            cancellation_policy=page.cancellation_policy,
            starts_at=slot.starts_at,
            provider_user=page.owner,
            page_id=page.pk,
            village_id=page.village_id_for_money,
        )
