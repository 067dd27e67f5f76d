"""Rate-limit pieces shared by the visitor-facing forms and private links (problem reports,
group enquiries and quotes)."""

import hashlib
import time

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache


def phone_digest(phone: str) -> str:
    """What a rate limit keys a mobile number by: numbers are personal data, so the cache keeps a
    digest, not the number."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{phone}".encode()).hexdigest()[:32]


def within_a_minute(request, scope: str, limit: int) -> bool:
    """Count one look-up of ``scope`` (a private page or API read) for the client's address;
    False once it is past ``limit`` in this clock minute."""
    window = int(time.time()) // 60
    key = f"{scope}:{get_adapter(request).get_client_ip(request)}:{window}"
    cache.add(key, 0, timeout=120)
    return cache.incr(key) <= limit
