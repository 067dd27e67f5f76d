"""homestays' part of a person's data (accounts.personal_data): the homestays they host. A host's
account runs a business the town lists: it is closed by the tourism office, not by its owner."""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Section, register

from .models import HomestayPage

HOSTS = _("Your account hosts a homestay: ask the tourism office to close it.")


def export(user):
    return {"homestays_hosted": list(HomestayPage.objects.filter(host=user).values_list("title", flat=True))}


def blockers(user):
    return [HOSTS] if HomestayPage.objects.filter(host=user).exists() else []


def register_section():
    register(Section("homestays", export=export, blockers=blockers))
