"""Write paths for producers: a user asks to sell, staff verify or reject them.

Verification is what makes a farmer: it puts the user in the Farmers role, and the farmer
dashboard opens only for a verified producer (a homestay host is not a farmer unless verified
as one). Rejection takes the role away again. The farmer is told (SMS and/or e-mail,
accounts.notices) after each decision commits; staff are e-mailed when an application comes in.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from accounts.notices import channels_for, send_notice_sms
from accounts.roles import EDITORS, FARMERS
from accounts.services import assign_role, require_verified_email

from .models import Producer, ProducerStatus
from .uploads import PhotoBatch

logger = logging.getLogger(__name__)


class ProducerError(Exception):
    """A step that is not possible now; ``message`` can be shown as is."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def producer_for(user):
    """The user's producer row, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Producer.objects.filter(user=user).select_related("village", "photo").first()


def is_farmer(user):
    """Only a verified producer is a farmer (and may use the farmer dashboard)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Producer.objects.filter(user=user, status=ProducerStatus.VERIFIED).exists()


def apply(user, *, display_name, village, story, phone, pickup_address, photo=None):
    """Ask to sell: create the application, or update a pending or rejected one (which is then
    reviewed again). ``photo`` is a ``products.uploads.CheckedPhoto`` or None.

    Raises ``UnverifiedEmail`` without a verified address and ``ProducerError`` for a producer
    who is already verified (they edit their profile instead).
    """
    require_verified_email(user)
    values = {
        "display_name": display_name,
        "village": village,
        "story": story,
        "phone": phone,
        "pickup_address": pickup_address,
    }
    with PhotoBatch(user) as photos, transaction.atomic():
        producer = Producer.objects.select_for_update().filter(user=user).first()
        if producer is not None and producer.status == ProducerStatus.VERIFIED:
            raise ProducerError(_("You are already a verified farmer."))
        if producer is None:
            producer = Producer(user=user)
        for name, value in values.items():
            setattr(producer, name, value)
        if photo is not None:
            producer.photo = photos.store(photo, title=display_name, renditions="producer")
        producer.status = ProducerStatus.APPLIED
        producer.status_note = ""
        producer.full_clean()
        producer.save()
    _on_commit(notify_staff_of_application, producer.pk)
    return producer


def update_profile(producer, *, display_name, village, story, phone, pickup_address, photo=None):
    """A verified farmer keeps their public profile up to date (no new review)."""
    with PhotoBatch(producer.user) as photos, transaction.atomic():
        locked = Producer.objects.select_for_update().get(pk=producer.pk)
        locked.display_name = display_name
        locked.village = village
        locked.story = story
        locked.phone = phone
        locked.pickup_address = pickup_address
        if photo is not None:
            locked.photo = photos.store(photo, title=display_name, renditions="producer")
        locked.full_clean()
        locked.save()
    return locked


def verify(producer, *, by, note=""):
    """Staff accept the application: the user joins the Farmers role and is told."""
    with transaction.atomic():
        locked = Producer.objects.select_for_update().select_related("user").get(pk=producer.pk)
        if locked.status == ProducerStatus.VERIFIED:
            return locked
        locked.status = ProducerStatus.VERIFIED
        locked.status_note = note or ""
        locked.verified_at = timezone.now()
        locked.verified_by = by if getattr(by, "is_authenticated", False) else None
        locked.save(update_fields=["status", "status_note", "verified_at", "verified_by", "updated_at"])
        assign_role(locked.user, FARMERS)
    _on_commit(send_decision, locked.pk)
    return locked


def reject(producer, *, by, note):
    """Staff turn the application down (or withdraw a verification) with a reason for the farmer."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Please tell the farmer why.")})
    with transaction.atomic():
        locked = Producer.objects.select_for_update().select_related("user").get(pk=producer.pk)
        locked.status = ProducerStatus.REJECTED
        locked.status_note = note
        locked.verified_at = None
        locked.verified_by = None
        locked.save(update_fields=["status", "status_note", "verified_at", "verified_by", "updated_at"])
        farmers = Group.objects.filter(name=FARMERS).first()
        if farmers is not None:
            locked.user.groups.remove(farmers)
    _on_commit(send_decision, locked.pk)
    return locked


# --- e-mails ----------------------------------------------------------------------------------


def _on_commit(the_task, *args):
    transaction.on_commit(lambda: the_task.enqueue(*args))


def _absolute(url_name):
    from wagtail.models import Site

    try:
        path = reverse(url_name)
    except NoReverseMatch:
        return ""
    site = Site.objects.filter(is_default_site=True).first()
    return site.root_url.rstrip("/") + path if site else path


DECISION_SMS = {
    "verified": _("You can now sell in the town's farmers' shop: %(url)s"),
    "rejected": _("About your request to sell in the town's shop, see: %(url)s"),
}


@task()
def send_decision(producer_id: int) -> None:
    """Tell the farmer that staff verified or rejected them."""
    producer = Producer.objects.select_related("user").get(pk=producer_id)
    channels = channels_for(producer.user)
    language = producer.user.notice_language
    with translation.override(language):
        if producer.status == ProducerStatus.VERIFIED:
            subject = gettext("You can now sell in the Tianyuan farmers' shop")
            template = "verified"
            link = _absolute("farmer_products")
        else:
            subject = gettext("About your request to sell in the Tianyuan farmers' shop")
            template = "rejected"
            link = _absolute("farmer_apply")
        if channels.email:
            body = render_to_string(
                f"products/dashboard/email/{template}.txt", {"producer": producer, "link": link}
            )
            send_mail(
                getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "") + subject,
                body,
                None,
                [channels.email],
            )
        if channels.sms:
            send_notice_sms(
                channels.sms, f"producer_{template}", DECISION_SMS[template], {"url": link}, language=language
            )


@task()
def notify_staff_of_application(producer_id: int) -> None:
    """Tell the people who review producers (the tourism office's editors) that an application
    is waiting."""
    producer = Producer.objects.select_related("user", "village").get(pk=producer_id)
    reviewers = (
        get_user_model()
        .objects.filter(Q(groups__name=EDITORS) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .exclude(email__isnull=True)
        .distinct()
    )
    # One e-mail per language, each to the reviewers who read it.
    by_language = {}
    for reviewer in reviewers:
        by_language.setdefault(reviewer.notice_language, set()).add(reviewer.email)
    if not by_language:
        logger.info("Producer application %s: no reviewers to tell", producer_id)
        return
    link = _absolute("products_producer_applications:index")
    for language, recipients in sorted(by_language.items()):
        with translation.override(language):
            body = render_to_string(
                "products/dashboard/email/application.txt", {"producer": producer, "link": link}
            )
            send_mail(
                getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
                + gettext("New producer application: %(name)s") % {"name": producer.display_name},
                body,
                None,
                sorted(recipients),
            )
