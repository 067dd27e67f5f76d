"""Local stand-ins for Alibaba Cloud SMS and Tencent Cloud SMS (tests/town/test_sms_providers.py).

Each is a threading HTTP server on a free loopback port that checks a request the way the provider
documents it, written here from the documentation rather than from the SDKs:

* Alibaba Cloud, signature V3 (ACS3-HMAC-SHA256, what the 4.x SDK sends by default): the
  canonical request is the method, the path, the sorted RFC 3986-encoded query, the signed
  headers (``host``, every ``x-acs-*``, ``content-type`` if sent) lower-cased and sorted, their
  names, and the hex SHA-256 of the body (also sent as ``x-acs-content-sha256``); the string to
  sign is ``ACS3-HMAC-SHA256\\n`` + hex SHA-256 of that; the signature is hex HMAC-SHA256 of it
  with the AccessKey secret. Errors: HTTP 400/404 with ``{"Code", "Message", "RequestId"}``.
* Tencent Cloud, TC3-HMAC-SHA256: canonical request of the method, path, query, the signed
  headers (at least ``content-type`` and ``host``, values lower-cased), their names and the hex
  SHA-256 of the body; string to sign ``TC3-HMAC-SHA256\\n{timestamp}\\n{date}/sms/tc3_request\\n``
  + its hex SHA-256; the key derived as HMAC("TC3" + secret, date) → service → "tc3_request".
  Errors: HTTP 200 with ``{"Response": {"Error": {"Code", "Message"}, "RequestId"}}``.

A request that passes is recorded in ``server.sent`` (its parameters) and answered with the next
of ``server.answers`` (the provider's documented success answer when none is queued); one that
fails is recorded in ``server.refused`` (the error code) and answered with the provider's error.
"""

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, quote, urlsplit

from tests.servers import BackgroundHTTPServer


def _sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def _hmac_sha256(key, text):
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


class Refused(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class FakeProvider(BackgroundHTTPServer):
    """The common part: the server, its thread, what it saw and what it answers next."""

    def __init__(self, secrets):
        self.secrets = dict(secrets)  # key id -> secret
        self.sent = []
        self.refused = []
        self.answers = []
        self.seen_nonces = set()
        self.lock = threading.Lock()
        super().__init__()

    @property
    def url(self):
        return self.root_url

    def handler_class(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, payload, content_type = provider.handle_request(self, body)
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep the test output quiet
                pass

        return Handler

    def next_answer(self):
        with self.lock:
            return self.answers.pop(0) if self.answers else None


class FakeAliyun(FakeProvider):
    """Alibaba Cloud SMS (Dysmsapi 2017-05-25), signature V3."""

    AUTHORIZATION = re.compile(
        r"^ACS3-HMAC-SHA256 Credential=(?P<key>[^,]+),SignedHeaders=(?P<signed>[^,]+),"
        r"Signature=(?P<signature>[0-9a-f]{64})$"
    )

    def handle_request(self, handler, body):
        request_id = str(uuid.uuid4()).upper()
        try:
            params = self.verify(handler, body)
        except Refused as refusal:
            with self.lock:
                self.refused.append(refusal.code)
            error = {"Code": refusal.code, "Message": refusal.message, "RequestId": request_id}
            return refusal.status, error, "application/json;charset=utf-8"
        with self.lock:
            self.sent.append(params)
        answer = self.next_answer() or {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0"}
        return 200, {**answer, "RequestId": request_id}, "application/json;charset=utf-8"

    def verify(self, handler, body):
        headers = {name.lower(): value for name, value in handler.headers.items()}
        match = self.AUTHORIZATION.match(headers.get("authorization", ""))
        if not match:
            raise Refused(
                "IncompleteSignature", "The request signature does not conform to Aliyun standards."
            )
        secret = self.secrets.get(match["key"])
        if secret is None:
            raise Refused("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        signed = match["signed"].split(";")
        needed = {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce"}
        needed |= {name for name in headers if name.startswith("x-acs-")}
        if "content-type" in headers:
            needed.add("content-type")
        if not needed <= set(signed) or signed != sorted(signed) or any(n not in headers for n in signed):
            raise Refused("IncompleteSignature", "Some headers that must be signed are not.")
        if headers.get("x-acs-content-sha256") != _sha256_hex(body):
            raise Refused("SignatureDoesNotMatch", "The body does not match x-acs-content-sha256.")
        sent_at = datetime.strptime(headers["x-acs-date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if abs(time.time() - sent_at.timestamp()) > 15 * 60:
            raise Refused("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        with self.lock:
            if headers["x-acs-signature-nonce"] in self.seen_nonces:
                raise Refused("SignatureNonceUsed", "Specified signature nonce was used already.")
            self.seen_nonces.add(headers["x-acs-signature-nonce"])

        url = urlsplit(handler.path)
        query = parse_qsl(url.query, keep_blank_values=True)
        encode = lambda text: quote(text, safe="-_.~")  # noqa: E731 (RFC 3986 unreserved)
        canonical_query = "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(query))
        canonical_headers = "".join(f"{name}:{headers[name].strip()}\n" for name in signed)
        canonical_request = "\n".join(
            [
                handler.command,
                url.path or "/",
                canonical_query,
                canonical_headers,
                ";".join(signed),
                _sha256_hex(body),
            ]
        )
        to_sign = "ACS3-HMAC-SHA256\n" + _sha256_hex(canonical_request.encode("utf-8"))
        expected = hmac.new(secret.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, match["signature"]):
            raise Refused(
                "SignatureDoesNotMatch",
                "Specified signature does not match our calculation.",
            )
        if headers["x-acs-action"] != "SendSms" or headers["x-acs-version"] != "2017-05-25":
            raise Refused("InvalidAction.NotFound", "Specified api is not found.", 404)
        return {**dict(query), "_host": headers["host"]}


class FakeTencent(FakeProvider):
    """Tencent Cloud SMS (2021-01-11), TC3-HMAC-SHA256."""

    AUTHORIZATION = re.compile(
        r"^TC3-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[a-z]+)"
        r"/tc3_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})$"
    )

    def handle_request(self, handler, body):
        request_id = str(uuid.uuid4())
        try:
            params = self.verify(handler, body)
        except Refused as refusal:
            with self.lock:
                self.refused.append(refusal.code)
            error = {"Error": {"Code": refusal.code, "Message": refusal.message}, "RequestId": request_id}
            return 200, {"Response": error}, "application/json"
        with self.lock:
            self.sent.append(params)
        answer = self.next_answer() or send_status("Ok", "send success")
        if "Error" not in answer:
            answer = {
                "SendStatusSet": [
                    {
                        "SerialNo": "5000:1045710669157053657849499619",
                        "PhoneNumber": phone,
                        "Fee": 1,
                        "SessionContext": "",
                        "IsoCode": "CN",
                        **answer,
                    }
                    for phone in params["PhoneNumberSet"]
                ]
            }
        return 200, {"Response": {**answer, "RequestId": request_id}}, "application/json"

    def verify(self, handler, body):
        headers = {name.lower(): value for name, value in handler.headers.items()}
        match = self.AUTHORIZATION.match(headers.get("authorization", ""))
        if not match:
            raise Refused("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        secret = self.secrets.get(match["key"])
        if secret is None:
            raise Refused("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
        timestamp = int(headers.get("x-tc-timestamp", "0"))
        if abs(time.time() - timestamp) > 300:
            raise Refused("AuthFailure.SignatureExpire", "Signature expired.")
        date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
        signed = match["signed"].split(";")
        if (
            match["date"] != date
            or match["service"] != "sms"
            or not {"content-type", "host"} <= set(signed)
            or signed != sorted(signed)
            or any(name not in headers for name in signed)
        ):
            raise Refused("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")

        url = urlsplit(handler.path)
        canonical_headers = "".join(f"{name}:{headers[name].strip().lower()}\n" for name in signed)
        canonical_request = "\n".join(
            [
                handler.command,
                url.path or "/",
                url.query,
                canonical_headers,
                ";".join(signed),
                _sha256_hex(body),
            ]
        )
        scope = f"{date}/sms/tc3_request"
        to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{_sha256_hex(canonical_request.encode('utf-8'))}"
        key = _hmac_sha256(("TC3" + secret).encode("utf-8"), date)
        key = _hmac_sha256(key, "sms")
        key = _hmac_sha256(key, "tc3_request")
        expected = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, match["signature"]):
            raise Refused("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        if headers.get("x-tc-action") != "SendSms" or headers.get("x-tc-version") != "2021-01-11":
            raise Refused("InvalidAction", "The action does not exist.")
        params = json.loads(body)
        return {**params, "_region": headers.get("x-tc-region"), "_host": headers["host"]}


def send_status(code, message):
    """Tencent: one number's SendStatus in the answer (the default answer is "Ok")."""
    return {"Code": code, "Message": message}


def tencent_error(code, message):
    """Tencent: an error answer for the whole request."""
    return {"Error": {"Code": code, "Message": message}}
