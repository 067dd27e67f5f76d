"""PIPL and timed entry: the visitor's download lists the people named on their entries, masked
(never the number, sealed or not), and deleting the account removes them."""

import datetime
import json

import pytest

from accounts import personal_data
from gates import retention
from gates.models import EntryPass
from orders import basket as basket_service
from orders.models import Basket, OrderLine
from tests.factories.accounts import VerifiedUserFactory
from tests.orders.checkout_fixtures import check_out

from .conftest import NOW, id_number, window_at

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

ALICE = id_number("33010619900307123")


@pytest.fixture
def entry(real_name_rule):
    visitor = VerifiedUserFactory()
    basket = Basket.objects.create(user=visitor)
    basket_service.add_line(
        basket,
        {
            "kind": "entry",
            "window_id": window_at(real_name_rule, 0).pk,
            "holders": [{"name": "王芳", "id_number": ALICE}],
        },
    )
    basket_service.add_line(
        basket,
        {
            "kind": "entry",
            "window_id": window_at(real_name_rule, 1).pk,
            "holders": [{"name": "王芳", "id_number": ALICE}],
        },
    )
    return check_out(visitor, basket).order


def test_the_download_lists_holders_masked_with_their_passes(client, entry):
    client.force_login(entry.user)
    response = client.get("/en/accounts/profile/my-data.json")
    assert response.status_code == 200
    text = response.content.decode()
    data = json.loads(text)
    first = data["timed_entry"][0]
    assert first["order"] == entry.reference
    assert first["date"] == "2027-03-15" and first["people"] == 1
    assert first["holders"] == [
        {"name": "王芳", "id_type": "id_card", "id_number": "3301**********" + ALICE[-4:]}
    ]
    assert first["passes"] == [{"date": "2027-03-15", "claim": "confirmed"}]
    assert [e["date"] for e in data["timed_entry"]] == ["2027-03-15", "2027-03-16"]
    # Neither the number nor what leads back to it, anywhere in the download (the orders too).
    sealed = OrderLine.objects.filter(order=entry).first().options["holders"][0]
    assert ALICE not in text
    assert sealed["id_sealed"] not in text and sealed["id_hash"] not in text


def test_deleting_the_account_removes_the_holders_and_the_fingerprints(entry, time_machine):
    time_machine.move_to(NOW + datetime.timedelta(days=2), tick=False)
    personal_data.delete_account(entry.user)
    lines = OrderLine.objects.filter(order=entry)
    assert [line.options.get("holders") for line in lines] == [None, None]
    assert [line.quantity for line in lines] == [1, 1]  # the figures still count them
    assert all(h.startswith(retention.FORGOTTEN) for h in EntryPass.objects.values_list("id_hash", flat=True))
    assert personal_data.export_for(entry.user)["timed_entry"][0]["holders"] == []


def test_a_pass_another_order_holds_keeps_its_fingerprint(entry, real_name_rule, time_machine):
    """The visitor cancelled tomorrow's entry and somebody else booked the same person: deleting
    the visitor's account leaves that booking's pass as it is."""
    from orders import line_cancel

    tomorrow = OrderLine.objects.get(order=entry, start_date="2027-03-16")
    line_cancel.cancel_line(entry, tomorrow.pk, by_user=entry.user)
    other = VerifiedUserFactory()
    basket = Basket.objects.create(user=other)
    basket_service.add_line(
        basket,
        {
            "kind": "entry",
            "window_id": window_at(real_name_rule, 1).pk,
            "holders": [{"name": "王芳", "id_number": ALICE}],
        },
    )
    check_out(other, basket)
    time_machine.move_to(NOW + datetime.timedelta(days=1), tick=False)  # the 15th is over
    personal_data.delete_account(entry.user)
    assert EntryPass.objects.get(date="2027-03-15").id_hash.startswith(retention.FORGOTTEN)
    assert not EntryPass.objects.get(date="2027-03-16").id_hash.startswith(retention.FORGOTTEN)
