"""Helpers of the phone sign-in tests (their fixtures are in conftest.py)."""

import re


def code_in(message):
    """The 6-digit code in a text message."""
    return re.search(r"\b(\d{6})\b", message.text).group(1)
