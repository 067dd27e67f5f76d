"""``{{ number|masked_phone }}`` always masks; ``{{ number|phone_for:request.user }}`` masks
unless that user may see numbers in full (accounts.privacy)."""

from django import template

from accounts import privacy

register = template.Library()


@register.filter
def masked_phone(value):
    return privacy.mask_phone(value)


@register.filter
def phone_for(value, viewer):
    return privacy.shown_phone(value, viewer)
