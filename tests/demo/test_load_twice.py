"""Loading the demo town twice adds nothing, for every step (each is idempotent), and a loaded
site is left alone by ``--if-empty``. The first load is the shared demo town (``demo_town``,
loaded on the empty database the migrations made); the second runs in the test."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from attractions.models import AttractionPage, ExperiencePage, RoutePage, TourSlot
from events.models import EventPage, TicketType
from feedback.models import ProblemReport
from groups.models import RosterParticipant
from home.models import HomePage, StandardPage
from orders.models import InvoiceRequest, Order, OrderLine, Reservation
from products.models import Batch, Certification, Producer, Product
from search.models import SearchEntry
from town.models import Village

pytestmark = pytest.mark.django_db


def load():
    call_command("load_demo", force=True, quiet=True)


def counts():
    return {
        "pages": Page.objects.count(),
        "home": HomePage.objects.count(),
        "standard": StandardPage.objects.count(),
        "attractions": AttractionPage.objects.count(),
        "routes": RoutePage.objects.count(),
        "events": EventPage.objects.count(),
        "experiences": ExperiencePage.objects.count(),
        "tour slots": TourSlot.objects.count(),
        "ticket types": TicketType.objects.count(),
        "producers": Producer.objects.count(),
        "products": Product.objects.count(),
        "batches": Batch.objects.count(),
        "certifications": Certification.objects.count(),
        "orders": Order.objects.count(),
        "order lines": OrderLine.objects.count(),
        "reservations": Reservation.objects.count(),
        "search entries": SearchEntry.objects.count(),
        "villages": Village.objects.count(),
        "images": get_image_model().objects.count(),
        "users": get_user_model().objects.count(),
        "emails": EmailAddress.objects.count(),
        "sites": Site.objects.count(),
        "problem reports": ProblemReport.objects.count(),
        "roster participants": RosterParticipant.objects.count(),
        "invoice requests": InvoiceRequest.objects.count(),
    }


def test_loading_twice_adds_nothing_and_both_home_pages_render(client, demo_town):
    first = counts()
    # The two demo schools' rosters, as their teachers uploaded them; the accepted one's invoice.
    assert first["roster participants"] == 16
    school = InvoiceRequest.objects.filter(order__group_quotes__enquiry__organisation="红星实验中学")
    assert school.count() == 1
    load()
    assert counts() == first
    call_command("load_demo", force=True, quiet=True, if_empty=True)  # a loaded site is left alone
    assert counts() == first
    assert first["home"] == 2  # Chinese and English
    assert first["sites"] == 1
    # The page tree is sound (a stale numchild saved over a parent would hide its children).
    assert not any(Page.find_problems())

    zh = client.get("/")
    assert zh.status_code == 200
    assert "青溪" in zh.content.decode()

    en = client.get("/en/")
    assert en.status_code == 200
    assert "Qingxi" in en.content.decode()
    assert client.get("/en/attractions/").status_code == 200


def test_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo", quiet=True)
    assert not HomePage.objects.exists()
