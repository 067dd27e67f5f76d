"""Alibaba Cloud SMS and Tencent Cloud SMS (town/sms_providers.py): their own SDKs, pointed at a
local server that checks each request's signature as the provider documents it and answers with
the provider's JSON (tests/sms_servers.py). A refused send is tried again by the real task; a
message the provider will never take, or one without a template code, is not."""

import json
import logging

import pytest
from django.core import checks
from django_tasks import TaskResultStatus

from accounts import phone_codes
from tests.sms_servers import FakeAliyun, FakeTencent, send_status, tencent_error
from town import checks as town_checks
from town.privacy import mask_phone
from town.sms import SmsError, SmsMessage, SmsRejected, get_backend
from town.sms_providers import aliyun_phone_number
from town.tasks import deliver_sms

PHONE = "+8613900000000"
TEMPLATES = {
    "verification_code": {"code": "SMS_154950909", "params": ["code", "minutes"]},
    "unknown_account": {"code": "SMS_154950910", "params": []},
}
TENCENT_TEMPLATES = {
    "verification_code": {"code": "1234567", "params": ["code", "minutes"]},
    "unknown_account": {"code": "1234568", "params": []},
}


@pytest.fixture
def aliyun(settings):
    with FakeAliyun({"LTAI5tTianyuanTest": "aliyun-test-secret"}) as server:
        settings.SMS_BACKEND = "aliyun"
        settings.SMS_ALIYUN_ACCESS_KEY_ID = "LTAI5tTianyuanTest"
        settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "aliyun-test-secret"
        settings.SMS_ALIYUN_REGION = "cn-hangzhou"
        settings.SMS_ALIYUN_ENDPOINT = server.url
        settings.SMS_SIGN_NAME = "田园乡村"
        settings.SMS_TEMPLATES = TEMPLATES
        yield server


@pytest.fixture
def tencent(settings):
    with FakeTencent({"AKIDTianyuanTest": "tencent-test-secret"}) as server:
        settings.SMS_BACKEND = "tencent"
        settings.SMS_TENCENT_SECRET_ID = "AKIDTianyuanTest"
        settings.SMS_TENCENT_SECRET_KEY = "tencent-test-secret"
        settings.SMS_TENCENT_SDK_APP_ID = "1400006666"
        settings.SMS_TENCENT_REGION = "ap-guangzhou"
        settings.SMS_TENCENT_ENDPOINT = server.url
        settings.SMS_SIGN_NAME = "田园乡村"
        settings.SMS_TEMPLATES = TENCENT_TEMPLATES
        yield server


@pytest.fixture(params=["aliyun", "tencent"])
def provider(request):
    return request.param, request.getfixturevalue(request.param)


def failure(name):
    """A refusal that may pass later: Alibaba's system error, Tencent's 30-second limit."""
    if name == "aliyun":
        return {"Code": "isp.SYSTEM_ERROR", "Message": "isp.SYSTEM_ERROR"}
    return send_status("LimitExceeded.PhoneNumberThirtySecondLimit", "the 30-second limit of a number")


def bad_number(name):
    if name == "aliyun":
        return {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
    return tencent_error("InvalidParameterValue.IncorrectPhoneNumber", "the number is wrong")


def code_message():
    return SmsMessage(
        phone=PHONE,
        text="code 123456",
        template="verification_code",
        params={"code": "123456", "minutes": "5"},
    )


@pytest.mark.django_db
def test_a_code_reaches_alibaba_signed_with_its_template_and_parameters(
    aliyun, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        phone_codes.send_code(PHONE, "123456")
    assert aliyun.refused == []
    [sent] = aliyun.sent
    assert sent["PhoneNumbers"] == "13900000000"
    assert sent["SignName"] == "田园乡村"
    assert sent["TemplateCode"] == "SMS_154950909"
    assert json.loads(sent["TemplateParam"]) == {"code": "123456", "minutes": "5"}


@pytest.mark.django_db
def test_a_code_reaches_tencent_signed_with_its_template_and_ordered_parameters(
    tencent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        phone_codes.send_code(PHONE, "123456")
    assert tencent.refused == []
    [sent] = tencent.sent
    assert sent["PhoneNumberSet"] == [PHONE]
    assert sent["SmsSdkAppId"] == "1400006666"
    assert sent["SignName"] == "田园乡村"
    assert sent["TemplateId"] == "1234567"
    assert sent["TemplateParamSet"] == ["123456", "5"]
    assert sent["_region"] == "ap-guangzhou"


def test_a_template_without_parameters_sends_none(aliyun):
    get_backend().send(
        SmsMessage(phone=PHONE, text="sign up", template="unknown_account", params={"url": "x"})
    )
    [sent] = aliyun.sent
    assert sent["TemplateCode"] == "SMS_154950910"
    assert "TemplateParam" not in sent  # the link is in the approved template, not a parameter


def test_a_wrong_secret_is_refused_by_alibaba_and_is_an_sms_error(aliyun, settings):
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "not-the-secret"
    with pytest.raises(SmsError, match="SignatureDoesNotMatch"):
        get_backend().send(code_message())
    assert aliyun.refused == ["SignatureDoesNotMatch"]
    assert aliyun.sent == []


def test_a_wrong_secret_is_refused_by_tencent_and_is_an_sms_error(tencent, settings):
    settings.SMS_TENCENT_SECRET_KEY = "not-the-secret"
    with pytest.raises(SmsError, match="AuthFailure.SignatureFailure"):
        get_backend().send(code_message())
    assert tencent.refused == ["AuthFailure.SignatureFailure"]
    assert tencent.sent == []


def test_a_provider_failure_answer_is_an_sms_error_to_try_again(provider):
    name, server = provider
    server.answers.append(failure(name))
    with pytest.raises(SmsError) as raised:
        get_backend().send(code_message())
    assert not isinstance(raised.value, SmsRejected)
    assert len(server.sent) == 1


def test_a_failed_send_is_tried_again_by_the_task_and_then_goes_out(provider, settings):
    name, server = provider
    settings.SMS_MAX_ATTEMPTS = 4
    server.answers.append(failure(name))
    result = deliver_sms.enqueue(
        PHONE, "code 123456", "verification_code", {"code": "123456", "minutes": "5"}
    )
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "retrying"
    assert len(server.sent) == 2  # the refused one, then the one that went out
    assert server.answers == []
    assert server.refused == []


def test_a_permanent_refusal_is_not_tried_again(provider, caplog):
    name, server = provider
    server.answers.extend([bad_number(name)] * 3)
    with caplog.at_level(logging.ERROR, logger="town.tasks"):
        result = deliver_sms.enqueue(PHONE, "code 123456", "verification_code", {"code": "1", "minutes": "5"})
    assert result.status == TaskResultStatus.FAILED
    assert len(server.sent) == 1
    assert "not tried again" in caplog.text
    # Logs are read by more people than need the number (PIPL): masked there.
    assert mask_phone(PHONE) in caplog.text
    assert PHONE[-8:] not in caplog.text


def test_a_retry_is_logged_with_the_number_masked(provider, settings, caplog):
    name, server = provider
    settings.SMS_MAX_ATTEMPTS = 1
    server.answers.append(failure(name))
    with caplog.at_level(logging.WARNING, logger="town.tasks"):
        result = deliver_sms.enqueue(PHONE, "code 123456", "verification_code", {"code": "1", "minutes": "5"})
    assert result.status == TaskResultStatus.FAILED
    assert "given up after 1 attempts" in caplog.text
    assert mask_phone(PHONE) in caplog.text
    assert PHONE[-8:] not in caplog.text


def test_a_template_without_a_code_is_logged_and_not_tried_again(provider, caplog):
    name, server = provider
    with caplog.at_level(logging.ERROR, logger="town.tasks"):
        result = deliver_sms.enqueue(PHONE, "hello", "order_confirmed", {"reference": "TY-1"})
    assert result.status == TaskResultStatus.FAILED
    assert server.sent == [] and server.refused == []
    assert "no provider template code configured for SMS template 'order_confirmed'" in caplog.text


def test_a_template_lacking_a_parameter_is_not_sent(provider):
    name, server = provider
    message = SmsMessage(phone=PHONE, text="code", template="verification_code", params={"code": "1"})
    with pytest.raises(SmsRejected, match="minutes"):
        get_backend().send(message)
    assert server.sent == []


def test_tencent_needs_the_order_of_a_templates_parameters(tencent, settings):
    settings.SMS_TEMPLATES = {"verification_code": "1234567"}
    with pytest.raises(SmsRejected, match="order"):
        get_backend().send(code_message())
    assert tencent.sent == []


def test_alibaba_wants_mainland_numbers_without_the_country_code():
    assert aliyun_phone_number("+8613900000000") == "13900000000"
    assert aliyun_phone_number("+85291234567") == "85291234567"


# --- the system check -----------------------------------------------------------------------


def ids(messages):
    return sorted((type(message).__name__, message.id) for message in messages)


def test_the_check_warns_of_a_provider_without_its_keys(settings):
    settings.DEBUG = True
    settings.SMS_BACKEND = "tencent"
    settings.SMS_TENCENT_SECRET_ID = ""
    settings.SMS_TEMPLATES = TENCENT_TEMPLATES
    settings.SMS_SIGN_NAME = "田园乡村"
    messages = town_checks.check_sms_settings(None)
    assert ids(messages) == [("Warning", "town.W001")]
    assert "SMS_TENCENT_SECRET_ID" in messages[0].msg


def test_the_check_is_an_error_under_production_settings(settings):
    settings.DEBUG = False
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = settings.SMS_ALIYUN_ACCESS_KEY_SECRET = ""
    settings.SMS_SIGN_NAME = ""
    settings.SMS_TEMPLATES = {}
    messages = town_checks.check_sms_settings(None)
    assert ids(messages) == [("Error", "town.E001"), ("Error", "town.E002")]
    assert all(message.level >= checks.ERROR for message in messages)


def test_the_check_finds_a_badly_written_template(settings):
    settings.DEBUG = False
    settings.SMS_BACKEND = "tencent"
    settings.SMS_TENCENT_SECRET_ID = settings.SMS_TENCENT_SECRET_KEY = "x"
    settings.SMS_TENCENT_SDK_APP_ID = "1400006666"
    settings.SMS_SIGN_NAME = "田园乡村"
    settings.SMS_TEMPLATES = {**TENCENT_TEMPLATES, "unknown_account": "1234568"}
    messages = town_checks.check_sms_settings(None)
    assert ids(messages) == [("Error", "town.E002")]
    assert "unknown_account" in messages[0].msg


def test_the_check_is_quiet_when_a_provider_is_configured(tencent):
    assert town_checks.check_sms_settings(None) == []


def test_the_check_says_nothing_of_the_console(settings):
    settings.DEBUG = False
    settings.SMS_BACKEND = "console"
    assert town_checks.check_sms_settings(None) == []
