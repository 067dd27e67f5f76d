"""Text messages (SMS) behind one small interface, as e-mail is behind EMAIL_BACKEND.

``send_sms()`` is what the apps call: it queues the message for the task worker once the
current transaction commits (town.tasks.deliver_sms), so no request ever waits on a provider and
a rolled-back request sends nothing. The worker hands it to the backend named by SMS_BACKEND:

* ``console``: one line per message on standard output, ``SMS to +86...: <text>`` (development);
* ``memory``: kept in ``town.sms.outbox`` (tests), like ``django.core.mail.outbox``;
* ``aliyun`` and ``tencent``: Alibaba Cloud SMS and Tencent Cloud SMS (town/sms_providers.py);
* a dotted path to a class of one's own.

A message carries both the rendered text and its template name with parameters: console and
memory show the text; Chinese providers send only pre-approved templates (SMS_TEMPLATES maps our
names to their template codes), filled with the parameters.

A backend raises SmsError when a send failed and may work later (the task tries again), and
SmsRejected when it never will as it stands (a bad number, an unapproved template, no template
code configured): that is logged and not tried again.
"""

import sys
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The provider did not take the message; the task tries again later."""


class SmsRejected(SmsError):
    """The message can never be sent as it stands (bad number, template not approved or not
    configured): the task logs it and does not try again."""


@dataclass(frozen=True)
class SmsMessage:
    phone: str  # E.164
    text: str
    template: str = ""
    params: dict = field(default_factory=dict)


class BaseSmsBackend:
    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Development: the message on standard output, one line (``make run`` shows the code)."""

    def __init__(self, stream=None):
        self.stream = stream

    def send(self, message):
        stream = self.stream or sys.stdout
        text = " ".join(message.text.split())
        stream.write(f"SMS to {message.phone}: {text}\n")
        stream.flush()


outbox: list[SmsMessage] = []
_outbox_lock = threading.Lock()


class MemoryBackend(BaseSmsBackend):
    """Tests: messages are appended to ``town.sms.outbox``. ``fail_next`` sends fail that many
    times first, as a provider that is down does."""

    fail_next = 0

    def send(self, message):
        with _outbox_lock:
            if MemoryBackend.fail_next > 0:
                MemoryBackend.fail_next -= 1
                raise SmsError("memory backend told to fail")
            outbox.append(message)


ALIASES = {
    "console": "town.sms.ConsoleBackend",
    "memory": "town.sms.MemoryBackend",
    "aliyun": "town.sms_providers.AliyunBackend",
    "tencent": "town.sms_providers.TencentBackend",
}


def get_backend():
    name = getattr(settings, "SMS_BACKEND", "console")
    return import_string(ALIASES.get(name, name))()


def send_sms(phone, text, *, template="", params=None):
    """Queue ``text`` for ``phone`` (E.164), sent by the worker after the transaction commits."""
    from .tasks import deliver_sms

    params = {key: str(value) for key, value in (params or {}).items()}
    transaction.on_commit(lambda: deliver_sms.enqueue(phone, text, template, params))
