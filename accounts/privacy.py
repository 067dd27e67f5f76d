"""Phone numbers under PIPL: shown masked (139****0000) to anyone but their owner, the staff who
may see them in full (the ``accounts.view_full_phone`` permission, given to the tourism office)
and the host or farmer who must reach that guest for what they serve (the views say when).

One helper for pages, lists and exports alike; templates use the ``privacy`` filters."""

from town.privacy import mask_phone  # noqa: F401 (in the base, for the SMS logs too; imported from here)

FULL_PHONE_PERMISSION = "accounts.view_full_phone"


def may_see_full_phone(user):
    """Staff given ``accounts.view_full_phone`` (superusers have every permission)."""
    return bool(user is not None and user.is_active and user.has_perm(FULL_PHONE_PERMISSION))


def shown_phone(value, viewer=None, *, serves=False):
    """``value`` as ``viewer`` may see it: in full when they may see every number or ``serves``
    (the view knows they are the host or farmer of this guest), else masked."""
    if serves or may_see_full_phone(viewer):
        return value or ""
    return mask_phone(value)
