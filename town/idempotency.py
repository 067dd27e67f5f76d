"""Idempotency keys: what a client sends so that a request it repeats (a retry over poor signal)
is done once. The services that take one store it under a unique constraint with their result."""

import re

MAX_LENGTH = 64
# A UUID, as the staff pages send, or any token of printable ASCII up to 64 characters, as the
# IETF's Idempotency-Key header allows.
_KEY = re.compile(r"[\x21-\x7e]{1,64}")


def clean_key(value):
    """``value`` stripped, or None when empty; ``ValueError`` when it cannot be a key."""
    text = (value or "").strip()
    if not text:
        return None
    if not _KEY.fullmatch(text):
        raise ValueError(text)
    return text
