"""Text messages through town.sms: queued for the task worker after the commit, never sent in a
rolled-back transaction, retried when the provider refuses, and printed on one line by the
console backend (what `make run` shows)."""

import io

import pytest
from django.db import transaction

from town import sms
from town.sms import ConsoleBackend, SmsMessage, send_sms
from town.tasks import deliver_sms


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    sms.MemoryBackend.fail_next = 0
    yield sms.outbox
    sms.outbox.clear()
    sms.MemoryBackend.fail_next = 0


def test_console_prints_exactly_one_line_per_message():
    stream = io.StringIO()
    ConsoleBackend(stream).send(
        SmsMessage(phone="+8613900000000", text="您的验证码是123456，\n5分钟内有效。")
    )
    assert stream.getvalue() == "SMS to +8613900000000: 您的验证码是123456， 5分钟内有效。\n"


def test_the_console_is_the_default_backend(settings, capsys):
    del settings.SMS_BACKEND
    deliver_sms.call("+8613900000000", "hello")
    assert capsys.readouterr().out == "SMS to +8613900000000: hello\n"


@pytest.mark.django_db(transaction=True)
def test_a_message_leaves_only_after_the_commit(outbox):
    with transaction.atomic():
        send_sms("+8613900000000", "code 123456", template="verification_code", params={"code": 123456})
        assert outbox == []
    assert outbox == [
        SmsMessage(
            phone="+8613900000000",
            text="code 123456",
            template="verification_code",
            params={"code": "123456"},
        )
    ]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing(outbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        send_sms("+8613900000000", "code 123456")
        raise RuntimeError("the request failed")
    assert outbox == []


def test_a_refused_send_is_tried_again(outbox):
    sms.MemoryBackend.fail_next = 2
    result = deliver_sms.enqueue("+8613900000000", "code 123456")
    assert [m.text for m in outbox] == ["code 123456"]
    assert sms.MemoryBackend.fail_next == 0
    assert result.return_value == "retrying"


def test_the_task_gives_up_after_the_last_attempt(outbox, settings):
    settings.SMS_MAX_ATTEMPTS = 2
    sms.MemoryBackend.fail_next = 5
    deliver_sms.enqueue("+8613900000000", "code 123456")
    assert outbox == []
    assert sms.MemoryBackend.fail_next == 3  # two attempts, then no more


def test_a_backend_can_be_named_by_its_path(settings, outbox):
    settings.SMS_BACKEND = "town.sms.MemoryBackend"
    deliver_sms.call("+8613900000000", "hello")
    assert [m.phone for m in outbox] == ["+8613900000000"]
