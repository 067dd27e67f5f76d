"""products' part of a person's data (accounts.personal_data): a farmer's producer profile, and
produce bought that is still to be handed over (which stops a deletion until it is)."""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Section, register
from orders.models import OrderLine, ReservationKind
from orders.models.orders import OPEN_STATUSES

from .models import FulfilmentStatus, PhotoUpload, Producer

SELLS = _("Your account sells in the town's shop: ask the tourism office to close it.")
PRODUCE_TO_COME = _(
    "Produce you bought is still to be handed over or shipped. Delete your account once it has "
    "reached you, or cancel it in My trips first."
)


def export(user):
    producer = Producer.objects.filter(user=user).first()
    if producer is None:
        return {"producer": None}
    return {
        "producer": {
            "display_name": producer.display_name,
            "story": producer.story,
            "phone": producer.phone,
            "pickup_address": producer.pickup_address,
            "status": producer.status,
            "applied_at": producer.created_at.isoformat(),
        }
    }


def blockers(user):
    reasons = []
    if Producer.objects.filter(user=user).exists():
        reasons.append(SELLS)
    waiting = (
        OrderLine.objects.filter(
            order__user=user,
            order__status__in=OPEN_STATUSES,
            kind=ReservationKind.PRODUCT,
            cancelled_at__isnull=True,
        )
        .exclude(fulfilment__status__in=[FulfilmentStatus.HANDED_OVER, FulfilmentStatus.SHIPPED])
        .exists()
    )
    if waiting:
        reasons.append(PRODUCE_TO_COME)
    return reasons


def erase(user):
    PhotoUpload.objects.filter(user=user).delete()


def register_section():
    register(Section("produce", export=export, blockers=blockers, erase=erase))
