"""People on a spot now: moved by the gate (check-ins, exits) and by staff counters (+1/−1, a typed
count), each change under the spot's row lock, so concurrent counters never lose a step; each
change also writes the quarter hour's ``CrowdSample`` (highest and last count, entries, exits),
which is the history: nothing needs to run on a timer."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from town.idempotency import clean_key
from town.page_cache import bump_stock

from .models import CrowdCountKey, CrowdSample, SpotCrowd

MAX_PEOPLE = 1_000_000
# The page cache's tag of the head counts ("right now" shows them).
CROWD_STOCK = "crowd"


class CountRefused(Exception):
    """A count that cannot be (below zero, absurdly high): ``message`` says why (422)."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def quarter_of(moment) -> datetime.datetime:
    local = timezone.localtime(moment)
    return local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)


def _locked_crowd(spot_id):
    SpotCrowd.objects.get_or_create(spot_id=spot_id)
    return SpotCrowd.objects.select_for_update().get(spot_id=spot_id)


def _apply(crowd, people, *, entries=0, exits=0, now):
    crowd.people, crowd.updated_at = people, now
    crowd.save(update_fields=["people", "updated_at"])
    sample, _created = CrowdSample.objects.get_or_create(spot_id=crowd.spot_id, quarter=quarter_of(now))
    sample.people_max = max(sample.people_max, people)
    sample.people_last = people
    sample.entries += entries
    sample.exits += exits
    sample.save()
    bump_stock(CROWD_STOCK, [crowd.spot_id])
    return crowd


def _key(key):
    try:
        return clean_key(key)
    except ValueError:
        raise CountRefused(_("This count's key is not valid; please reload the page.")) from None


def _repeated(crowd, key):
    """The crowd as the press with ``key`` left it, if that press was counted already (checked
    under the spot's lock, so a repeat sent at the same time waits for the first and finds it)."""
    if key is None:
        return None
    earlier = CrowdCountKey.objects.filter(key=key).first()
    if earlier is None:
        return None
    if earlier.spot_id != crowd.spot_id:
        raise CountRefused(_("This count's key is not valid; please reload the page."))
    crowd.people = earlier.people
    return crowd


def _remember(crowd, key, now):
    if key is not None:
        CrowdCountKey.objects.create(key=key, spot_id=crowd.spot_id, people=crowd.people, created_at=now)
    return crowd


def move(spot_id, delta, *, key=None, now=None) -> SpotCrowd:
    """``delta`` people in (positive) or out (negative); refused below zero. With ``key`` (a staff
    page's press), a press sent again answers the count it left without counting again."""
    now = now or timezone.now()
    key = _key(key)
    if (
        isinstance(delta, bool)
        or not isinstance(delta, int)
        or not -MAX_PEOPLE <= delta <= MAX_PEOPLE
        or not delta
    ):
        raise CountRefused(_("Please give a whole number of people."))
    with transaction.atomic():
        crowd = _locked_crowd(spot_id)
        if (repeated := _repeated(crowd, key)) is not None:
            return repeated
        people = crowd.people + delta
        if people < 0:
            raise CountRefused(_("There are only %(n)d people counted on site.") % {"n": crowd.people})
        crowd = _apply(crowd, people, entries=max(delta, 0), exits=max(-delta, 0), now=now)
        return _remember(crowd, key, now)


def set_count(spot_id, people, *, key=None, now=None) -> SpotCrowd:
    """A typed head count replaces the figure (staff counted the people on site); ``key`` as for
    ``move``."""
    now = now or timezone.now()
    key = _key(key)
    if isinstance(people, bool) or not isinstance(people, int) or not 0 <= people <= MAX_PEOPLE:
        raise CountRefused(_("Please give the number of people on site: a whole number from 0."))
    with transaction.atomic():
        crowd = _locked_crowd(spot_id)
        if (repeated := _repeated(crowd, key)) is not None:
            return repeated
        return _remember(_apply(crowd, people, now=now), key, now)


def history(spot_id, day):
    """The quarter hours of ``day`` with their counts, oldest first."""
    return list(CrowdSample.objects.filter(spot_id=spot_id, quarter__date=day).order_by("quarter"))
