"""Masking personal numbers for pages and logs (PIPL). The base holds it so that the SMS task's
logs can use it as well as accounts.privacy, which decides who sees numbers in full."""

import re

MASK = "****"


def mask_phone(value):
    """ "+8613900000000", "+86 139 0000 0000" or "139-0000-0000" → "139****0000"; other numbers
    keep their first three and last four digits ("+447****0123", a landline "055****2345");
    a short one only its last two. Empty stays empty."""
    text = str(value or "").strip()
    digits = re.sub(r"\D", "", text)
    if not digits:
        return ""
    if len(digits) == 13 and digits.startswith("861"):  # +86 and a mainland mobile
        digits = digits[2:]
        text = digits
    if len(digits) < 8:
        return MASK + digits[-2:]
    plus = "+" if text.startswith("+") else ""
    return f"{plus}{digits[:3]}{MASK}{digits[-4:]}"
