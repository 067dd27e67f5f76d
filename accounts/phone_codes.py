"""Codes sent by SMS: the limits that keep SMS pumping from costing the town money, the codes
of the JSON API, and the text that carries a code.

Every code goes out through ``send_code()``, whether allauth's pages asked for it (sign-up,
log-in by code; allauth keeps those codes in the session) or the JSON API did (kept here, in the
cache). So one set of limits covers both doors: per number (1 a minute, 5 an hour, 10 a day by
default), per client address, and a daily total, counted in the shared cache with atomic
increments (Redis with REDIS_URL), so several processes and threads never send past a limit.
Whether an account uses the number changes nothing here: the same limits, the same answers.
"""

import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from town.limits import phone_digest
from town.sms import send_sms

CODE_TEMPLATE = "verification_code"


class TooManyCodes(Exception):
    """A limit on codes is reached; answered with 429 and this message."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class CodeRejected(Exception):
    """A wrong, expired, used-up or replayed API code; answered with 422."""

    def __init__(self, message, code):
        self.message = message
        self.code = code
        super().__init__(str(message))


MESSAGES = {
    ("number", 60): _("A code was sent to this number less than a minute ago. Please wait a minute."),
    ("number", 3600): _("Too many codes for this number this hour. Please try again later."),
    ("number", 86400): _("Too many codes for this number today. Please try again tomorrow."),
    "client": _("Too many codes were asked from your connection. Please try again later."),
    "total": _(
        "We cannot send more codes today. Please try again tomorrow or log in with your e-mail address."
    ),
}
WRONG = _("That code is not right. Check the text message and try again.")
EXPIRED = _("That code has expired or was already used. Ask for a new one.")
USED_UP = _("Too many wrong codes. Ask for a new one.")


def _limits():
    return settings.PHONE_CODE_LIMITS


def _key(*parts):
    return "phone-code:" + ":".join(str(part) for part in parts)


def reserve_code(phone, client_ip):
    """Count one code for ``phone`` asked from ``client_ip``, or raise TooManyCodes (counting
    nothing). Each counter is a fixed window in the cache: add() creates it, incr() is atomic, so
    of twenty simultaneous requests only as many as the limit allows get through."""
    now = int(time.time())
    counted = []
    scopes = [("number", phone_digest(phone)), ("client", client_ip or "unknown"), ("total", "all")]
    for scope, who in scopes:
        for count, seconds in _limits()[scope]:
            key = _key(scope, who, seconds, now // seconds)
            cache.add(key, 0, timeout=seconds + 60)
            value = cache.incr(key)
            counted.append(key)
            if value > count:
                for done in counted:
                    cache.decr(done)
                raise TooManyCodes(MESSAGES.get((scope, seconds)) or MESSAGES[scope])


def send_code(phone, code):
    """The text with the code, queued for after the commit (town.sms)."""
    minutes = settings.PHONE_CODE_TIMEOUT // 60
    text = gettext(
        "Your Tianyuan code is %(code)s, valid for %(minutes)s minutes. Never tell it to anyone."
    ) % {
        "code": code,
        "minutes": minutes,
    }
    send_sms(phone, text, template=CODE_TEMPLATE, params={"code": code, "minutes": minutes})


def new_code():
    return f"{secrets.randbelow(10**6):06d}"


# --- codes of the JSON API (allauth's pages keep theirs in the session) ----------------------


def _digest(phone, code):
    return salted_hmac("accounts.phone_codes", f"{phone}:{code}").hexdigest()


def issue_code(phone, client_ip):
    """Count, store and send a fresh code for ``phone``; the one before it stops working."""
    reserve_code(phone, client_ip)
    code = new_code()
    timeout = settings.PHONE_CODE_TIMEOUT
    who = phone_digest(phone)
    # The issue time is kept with the code: the cache's own expiry is the server's clock (Redis),
    # which may run apart from ours, so the age is checked here too.
    cache.set(_key("api", who), f"{_digest(phone, code)}:{time.time()}", timeout=timeout)
    cache.set(_key("api-tries", who), 0, timeout=timeout)
    send_code(phone, code)


def check_code(phone, code):
    """Accept ``code`` for ``phone`` once, or raise CodeRejected. Compared in constant time;
    at most PHONE_CODE_MAX_ATTEMPTS tries; a used code is deleted, so a replay finds nothing."""
    who = phone_digest(phone)
    stored, tries_key = _key("api", who), _key("api-tries", who)
    kept = cache.get(stored)
    if kept is None:
        raise CodeRejected(EXPIRED, "code_expired")
    expected, _, issued_at = kept.partition(":")
    if not issued_at or time.time() - float(issued_at) > settings.PHONE_CODE_TIMEOUT:
        cache.delete_many([stored, tries_key])
        raise CodeRejected(EXPIRED, "code_expired")
    try:
        tries = cache.incr(tries_key)
    except ValueError:  # the counter lapsed with the code
        raise CodeRejected(EXPIRED, "code_expired") from None
    if tries > settings.PHONE_CODE_MAX_ATTEMPTS:
        cache.delete_many([stored, tries_key])
        raise CodeRejected(USED_UP, "too_many_attempts")
    if not constant_time_compare(_digest(phone, str(code).strip()), expected):
        if tries >= settings.PHONE_CODE_MAX_ATTEMPTS:
            cache.delete_many([stored, tries_key])
            raise CodeRejected(USED_UP, "too_many_attempts")
        raise CodeRejected(WRONG, "code_wrong")
    # Only one of two requests racing with the same code finds it still there.
    if not cache.delete(stored):
        raise CodeRejected(EXPIRED, "code_expired")
    cache.delete(tries_key)
