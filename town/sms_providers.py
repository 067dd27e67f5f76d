"""Alibaba Cloud SMS and Tencent Cloud SMS, the backends ``aliyun`` and ``tencent`` of town.sms.

Both providers send only texts they approved: a template (with its code) and a signature (签名,
SMS_SIGN_NAME), each applied for in their console. SMS_TEMPLATES maps our template names
(``verification_code``...) to the provider's template code and the parameters the template takes,
in order: Alibaba's templates name theirs (``${code}``) and get a JSON object, Tencent's number
theirs (``{1}``) and get a list, so for Tencent the order is the template's.

What the providers answer decides whether the task tries again (town.tasks.deliver_sms):
network trouble, their own errors, throttling, an empty balance or refused credentials may pass,
so SmsError; a bad number, a template or signature not approved, parameters the template does
not take, a blacklisted number or a number's daily limit never will for this message, so
SmsRejected, logged and not tried again. So is a template with no code configured here.
"""

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from alibabacloud_dysmsapi20170525 import models as aliyun_models
from alibabacloud_dysmsapi20170525.client import Client as AliyunClient
from alibabacloud_tea_openapi.utils_models import Config as AliyunConfig
from django.conf import settings
from Tea.exceptions import TeaException
from tencentcloud.common.credential import Credential as TencentCredential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models as tencent_models
from tencentcloud.sms.v20210111.sms_client import SmsClient as TencentClient

from .sms import BaseSmsBackend, SmsError, SmsRejected

# Seconds to wait for the provider: the worker, not a visitor, waits, but not for ever.
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 10

# Alibaba Cloud's SendSms answer codes (Code != "OK") that no retry can change.
ALIYUN_PERMANENT = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.SMS_SIGN_ILLEGAL",
    "isv.SMS_SIGNATURE_SCENE_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.TEMPLATE_PARAMS_ILLEGAL",
    "isv.INVALID_PARAMETERS",
    "isv.INVALID_JSON_PARAM",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.PARAM_NOT_SUPPORT_URL",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.DAY_LIMIT_CONTROL",
    "isv.SMS_CONTENT_ILLEGAL",
    "isv.DOMESTIC_NUMBER_NOT_SUPPORTED",
    "isv.SMS_TEST_NUMBER_LIMIT",
    "isv.SMS_TEST_SIGN_TEMPLATE_LIMIT",
    "isv.SMS_TEST_TEMPLATE_PARAMS_ILLEGAL",
    "isv.EXTEND_CODE_ERROR",
    "isv.CUSTOMER_REFUSED",
}

# Tencent Cloud's error codes (an error answer, or a SendStatus Code != "Ok") that no retry can
# change; every "InvalidParameterValue.*" is one (a bad number, parameters the template rejects).
TENCENT_PERMANENT = {
    "FailedOperation.ContainSensitiveWord",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
    "FailedOperation.TemplateUnapprovedOrNotExist",
    "FailedOperation.MissingSignature",
    "LimitExceeded.PhoneNumberDailyLimit",
    "LimitExceeded.PhoneNumberSameContentDailyLimit",
    "LimitExceeded.PhoneNumberCountLimit",
    "MissingParameter.EmptyPhoneNumberSet",
    "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
    "UnsupportedOperation.UnsupportedRegion",
}


def _tencent_is_permanent(code):
    return code in TENCENT_PERMANENT or (code or "").startswith("InvalidParameterValue.")


@dataclass(frozen=True)
class ProviderTemplate:
    code: str
    params: tuple[str, ...] | None  # None: every parameter of the message, by name (Alibaba only)


def template_problem(name, entry, *, ordered):
    """What is wrong with one SMS_TEMPLATES entry, or "" (also used by the system check)."""
    if isinstance(entry, str):
        if not entry.strip():
            return f"SMS_TEMPLATES[{name!r}] is empty"
        if ordered:
            return (
                f"SMS_TEMPLATES[{name!r}] needs the parameters in the template's order: "
                f'{{"code": "{entry}", "params": [...]}}'
            )
        return ""
    if not isinstance(entry, dict):
        return f'SMS_TEMPLATES[{name!r}] must be a template code or {{"code": ..., "params": [...]}}'
    code, params = entry.get("code"), entry.get("params")
    if not isinstance(code, str | int) or not str(code).strip():
        return f"SMS_TEMPLATES[{name!r}] has no template code"
    if params is None and not ordered:
        return ""
    if not isinstance(params, list) or not all(isinstance(param, str) for param in params):
        return f"SMS_TEMPLATES[{name!r}]['params'] must be a list of parameter names"
    return ""


def provider_template(name, *, ordered):
    """The provider's template for our template ``name``, or SmsRejected when none is configured
    (a configuration error: retrying would only repeat it)."""
    if not name:
        raise SmsRejected("the message has no template name; providers send only approved templates")
    templates = settings.SMS_TEMPLATES
    if not isinstance(templates, dict) or name not in templates:
        raise SmsRejected(f"no provider template code configured for SMS template {name!r} (SMS_TEMPLATES)")
    entry = templates[name]
    problem = template_problem(name, entry, ordered=ordered)
    if problem:
        raise SmsRejected(problem)
    if isinstance(entry, str):
        return ProviderTemplate(code=entry.strip(), params=None)
    params = entry.get("params")
    return ProviderTemplate(code=str(entry["code"]).strip(), params=None if params is None else tuple(params))


def _template_values(message, template):
    """The message's parameters the template takes, in its order (all of them when unlisted)."""
    names = template.params if template.params is not None else tuple(message.params)
    missing = [name for name in names if name not in message.params]
    if missing:
        raise SmsRejected(
            f"SMS template {message.template!r} takes {', '.join(missing)}, which the message lacks"
        )
    return [(name, str(message.params[name])) for name in names]


def _endpoint(value):
    """(scheme, host) of an endpoint setting: a host means HTTPS, a URL says its own scheme."""
    value = value.strip()
    if not value:
        return "https", ""
    if "://" not in value:
        return "https", value.rstrip("/")
    parts = urlsplit(value)
    return parts.scheme.lower(), parts.netloc


def _require(*names):
    missing = [name for name in names if not getattr(settings, name, "")]
    if missing:
        raise SmsRejected(f"SMS_BACKEND={settings.SMS_BACKEND!r} needs {', '.join(missing)}")


REQUIRED_SETTINGS = {
    "aliyun": ("SMS_ALIYUN_ACCESS_KEY_ID", "SMS_ALIYUN_ACCESS_KEY_SECRET", "SMS_SIGN_NAME"),
    "tencent": (
        "SMS_TENCENT_SECRET_ID",
        "SMS_TENCENT_SECRET_KEY",
        "SMS_TENCENT_SDK_APP_ID",
        "SMS_SIGN_NAME",
    ),
}


def aliyun_phone_number(phone):
    """Alibaba wants mainland numbers as 11 digits and others with their country code, no "+"."""
    if phone.startswith("+86"):
        return phone[3:]
    return phone.lstrip("+")


class AliyunBackend(BaseSmsBackend):
    """Alibaba Cloud SMS (Dysmsapi 2017-05-25 SendSms) through its SDK, which signs each request
    with ACS3-HMAC-SHA256."""

    def __init__(self):
        _require(*REQUIRED_SETTINGS["aliyun"])
        scheme, host = _endpoint(settings.SMS_ALIYUN_ENDPOINT)
        self.client = AliyunClient(
            AliyunConfig(
                access_key_id=settings.SMS_ALIYUN_ACCESS_KEY_ID,
                access_key_secret=settings.SMS_ALIYUN_ACCESS_KEY_SECRET,
                region_id=settings.SMS_ALIYUN_REGION,
                endpoint=host or None,
                protocol=scheme,
                connect_timeout=CONNECT_TIMEOUT * 1000,
                read_timeout=READ_TIMEOUT * 1000,
            )
        )

    def send(self, message):
        template = provider_template(message.template, ordered=False)
        values = dict(_template_values(message, template))
        request = aliyun_models.SendSmsRequest(
            phone_numbers=aliyun_phone_number(message.phone),
            sign_name=settings.SMS_SIGN_NAME,
            template_code=template.code,
            template_param=json.dumps(values, ensure_ascii=False) if values else None,
        )
        try:
            body = self.client.send_sms(request).body
        except TeaException as exc:  # refused (HTTP 4xx/5xx: credentials, throttling) or unreachable
            raise SmsError(f"Alibaba Cloud SMS: {exc.code or 'no answer'}: {exc.message}") from exc
        if body.code != "OK":
            error = SmsRejected if body.code in ALIYUN_PERMANENT else SmsError
            raise error(f"Alibaba Cloud SMS refused: {body.code}: {body.message} (request {body.request_id})")


class TencentBackend(BaseSmsBackend):
    """Tencent Cloud SMS (2021-01-11 SendSms) through its SDK, which signs each request with
    TC3-HMAC-SHA256."""

    def __init__(self):
        _require(*REQUIRED_SETTINGS["tencent"])
        scheme, host = _endpoint(settings.SMS_TENCENT_ENDPOINT)
        http = HttpProfile(protocol=scheme, endpoint=host or None, reqTimeout=READ_TIMEOUT)
        self.client = TencentClient(
            TencentCredential(settings.SMS_TENCENT_SECRET_ID, settings.SMS_TENCENT_SECRET_KEY),
            settings.SMS_TENCENT_REGION,
            ClientProfile(httpProfile=http),
        )

    def send(self, message):
        template = provider_template(message.template, ordered=True)
        request = tencent_models.SendSmsRequest()
        request.PhoneNumberSet = [message.phone]  # E.164, as Tencent wants it
        request.SmsSdkAppId = settings.SMS_TENCENT_SDK_APP_ID
        request.SignName = settings.SMS_SIGN_NAME
        request.TemplateId = template.code
        request.TemplateParamSet = [value for _name, value in _template_values(message, template)]
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code()
            error = SmsRejected if _tencent_is_permanent(code) else SmsError
            raise error(
                f"Tencent Cloud SMS: {code}: {exc.get_message()} (request {exc.get_request_id()})"
            ) from exc
        statuses = response.SendStatusSet or []
        if not statuses:
            raise SmsError(f"Tencent Cloud SMS answered no send status (request {response.RequestId})")
        status = statuses[0]
        if status.Code != "Ok":
            error = SmsRejected if _tencent_is_permanent(status.Code) else SmsError
            raise error(
                f"Tencent Cloud SMS refused: {status.Code}: {status.Message} (request {response.RequestId})"
            )
