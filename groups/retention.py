"""How long a group's roster keeps its document numbers, and forgetting them (PIPL art. 19: no
longer than the purpose needs). The shape of gates.retention, for rosters.

The full numbers serve the insurance policy (bought before the trip) and the gates during it,
then a little while to answer the insurer or a complaint about the trip. ``GROUPS_ROSTER_RETENTION_DAYS``
days after the quote's last day ``purge_roster_ids`` removes, from each participant:

* the sealed document number (the masked one stays: 1101**********0023),
* the date of birth and the mobile number.

What stays: the names, roles and masked numbers, so the office can still say who came. The
numbers of people the reports count come from the enquiry, not the roster.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from .models import Roster, RosterParticipant

# A month after the trip: the insurer's questions about the trip and complaints come within
# weeks; the policy itself (with the numbers) is at the insurer, not here.
DEFAULT_RETENTION_DAYS = 30


@dataclass
class RosterPurgeResult:
    cutoff: datetime.date
    rosters: int = 0
    participants: int = 0


def retention_days() -> int:
    days = getattr(settings, "GROUPS_ROSTER_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    if not isinstance(days, int) or days < 0:
        raise ImproperlyConfigured("GROUPS_ROSTER_RETENTION_DAYS must be a whole number of days, 0 or more.")
    return days


def purge_cutoff(today=None) -> datetime.date:
    """Trips whose last day is before this one lose their numbers."""
    return (today or timezone.localdate()) - datetime.timedelta(days=retention_days())


def purge_roster_ids(*, today=None) -> RosterPurgeResult:
    """Remove the document numbers, birth dates and phones of rosters whose trip is over by more
    than the retention days. Running it again removes nothing more."""
    result = RosterPurgeResult(cutoff=purge_cutoff(today))
    with transaction.atomic():
        due = Roster.objects.filter(quote__enquiry__end_date__lt=result.cutoff, ids_purged_at__isnull=True)
        ids = list(due.select_for_update().values_list("pk", flat=True))
        result.participants = RosterParticipant.objects.filter(roster_id__in=ids).update(
            document_sealed="", birth_date=None, phone=""
        )
        result.rosters = Roster.objects.filter(pk__in=ids).update(ids_purged_at=timezone.now())
    return result
