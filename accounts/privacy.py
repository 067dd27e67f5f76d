"""Phone numbers under PIPL: shown masked (139****0000) to anyone but their owner, the staff who
may see them in full (the ``accounts.view_full_phone`` permission, given to the tourism office)
and the host or farmer who must reach that guest for what they serve (the views say when).

One helper for pages, lists and exports alike; templates use the ``privacy`` filters."""

import re

FULL_PHONE_PERMISSION = "accounts.view_full_phone"
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


def may_see_full_phone(user):
    """Staff given ``accounts.view_full_phone`` (superusers have every permission)."""
    return bool(user is not None and user.is_active and user.has_perm(FULL_PHONE_PERMISSION))


def shown_phone(value, viewer=None, *, serves=False):
    """``value`` as ``viewer`` may see it: in full when they may see every number or ``serves``
    (the view knows they are the host or farmer of this guest), else masked."""
    if serves or may_see_full_phone(viewer):
        return value or ""
    return mask_phone(value)
