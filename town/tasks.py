"""Background tasks of the base app."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .privacy import mask_phone
from .sms import SmsError, SmsMessage, SmsRejected, get_backend

logger = logging.getLogger(__name__)


@task()
def deliver_sms(
    phone: str, text: str, template: str = "", params: dict | None = None, attempt: int = 1
) -> str:
    """Hand one message to the SMS backend; a refused send is queued again, later each time
    where the queue can defer (the database queue), up to SMS_MAX_ATTEMPTS. A message the
    provider will never take as it stands (SmsRejected) is not tried again. The logs show the
    number masked (PIPL): logs are read by more people, and kept longer, than the numbers need."""
    message = SmsMessage(phone=phone, text=text, template=template, params=params or {})
    try:
        get_backend().send(message)
    except SmsRejected as exc:
        logger.error(
            "SMS to %s not sent and not tried again (template %r): %s", mask_phone(phone), template, exc
        )
        raise
    except SmsError as exc:
        if attempt >= settings.SMS_MAX_ATTEMPTS:
            logger.error("SMS to %s given up after %s attempts: %s", mask_phone(phone), attempt, exc)
            raise
        logger.warning("SMS to %s failed (attempt %s), trying again: %s", mask_phone(phone), attempt, exc)
        retry = deliver_sms
        if deliver_sms.get_backend().supports_defer:
            retry = deliver_sms.using(run_after=timezone.now() + timedelta(seconds=30 * attempt))
        retry.enqueue(phone, text, template, params or {}, attempt + 1)
        return "retrying"
    return "sent"
