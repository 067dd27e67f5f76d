"""The spot gate and the head counter: admitted once, refused elsewhere with the reason, exits,
crowding levels, and full stopping today's entries."""

import datetime

import pytest
from django.urls import reverse

from gates import crowding
from gates.models import CrowdSample, SpotCrowd
from orders import basket as basket_service
from orders.exceptions import SoldOut
from orders.models import Basket
from tests.factories.accounts import UserFactory, VerifiedUserFactory
from tests.orders.checkout_fixtures import check_out

from .conftest import NOW, id_number, window_at

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

ALICE = id_number("33010619900307123")


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    return user


def book(rule, day_offset=0, hour=10, holders=(("王芳", ALICE),), people=None):
    basket = Basket.objects.create(user=VerifiedUserFactory())
    data = {"kind": "entry", "window_id": window_at(rule, day_offset, hour).pk}
    if rule.real_name:
        data["holders"] = [{"name": n, "id_number": i} for n, i in holders]
    else:
        data["people"] = people
    basket_service.add_line(basket, data)
    return check_out(basket.user, basket).order.lines.get()


def test_gate_admits_once_and_counts_people_in(client, now, real_name_rule, staff):
    line = book(real_name_rule)
    url = reverse("gates_gate", args=[real_name_rule.spot_id])
    first = client.post(url, {"code": line.voucher.code})
    assert first.status_code == 200
    assert first.context["outcome"].admitted
    assert ALICE in first.content.decode()  # in full at the gate only
    again = client.post(url, {"code": line.voucher.code.lower()})
    assert again.status_code == 409
    assert again.context["outcome"].used_at == NOW
    assert "2027-03-15 09:30:00" in again.content.decode()
    assert SpotCrowd.objects.get(spot=real_name_rule.spot).people == 1


def test_gate_by_id_number_and_refusals_with_reasons(client, now, real_name_rule, staff):
    book(real_name_rule)
    url = reverse("gates_gate", args=[real_name_rule.spot_id])
    response = client.post(url, {"action": "id", "id_number": ALICE.lower()})
    assert response.status_code == 200 and response.context["outcome"].admitted
    assert client.post(url, {"action": "id", "id_number": ALICE}).status_code == 409
    tomorrow_only = id_number("11010519850101002")
    book(real_name_rule, day_offset=1, holders=(("李明", tomorrow_only),))
    refused = client.post(url, {"action": "id", "id_number": tomorrow_only})
    assert refused.status_code == 422
    assert "2027-03-16" in refused.context["outcome"].reason
    assert client.post(url, {"action": "id", "id_number": "123"}).status_code == 422
    mistyped = client.post(
        url, {"action": "id", "id_number": ALICE[:-1] + ("1" if ALICE[-1] != "1" else "2")}
    )
    assert "last character" in mistyped.context["outcome"].reason
    assert SpotCrowd.objects.get(spot=real_name_rule.spot).people == 1


def test_gate_refuses_another_day_and_another_spot(client, now, real_name_rule, paid_rule, staff):
    tomorrow = book(real_name_rule, day_offset=1)
    url = reverse("gates_gate", args=[real_name_rule.spot_id])
    response = client.post(url, {"code": tomorrow.voucher.code})
    assert response.status_code == 422
    assert "2027-03-16, not today" in response.context["outcome"].reason
    other = client.post(reverse("gates_gate", args=[paid_rule.spot_id]), {"code": tomorrow.voucher.code})
    assert "another spot" in other.context["outcome"].reason
    tomorrow.voucher.refresh_from_db()
    assert tomorrow.voucher.used_at is None


def test_exits_and_counter_move_the_level_and_keep_quarter_hours(client, now, paid_rule, staff, time_machine):
    SpotCrowd.objects.create(spot=paid_rule.spot, comfortable=2, maximum=3)
    counter = reverse("gates_counter", args=[paid_rule.spot_id])
    for _ in range(3):
        assert client.post(counter, {"action": "in"}).status_code == 302
    assert SpotCrowd.objects.get().level == "full"
    # Full stops new entries for today, not for tomorrow.
    with pytest.raises(SoldOut, match="full right now"):
        book(paid_rule, people=1)
    book(paid_rule, day_offset=1, people=1)
    time_machine.move_to(NOW + datetime.timedelta(minutes=20), tick=False)
    gate = reverse("gates_gate", args=[paid_rule.spot_id])
    assert client.post(gate, {"action": "exit", "people": "2"}).status_code == 200
    assert SpotCrowd.objects.get().level == "comfortable"
    bad = client.post(gate, {"action": "exit", "people": "5"})
    assert bad.status_code == 422 and SpotCrowd.objects.get().people == 1
    assert client.post(counter, {"action": "set", "people": "-4"}).status_code == 422
    assert client.post(counter, {"action": "set", "people": "40"}).status_code == 302
    samples = list(CrowdSample.objects.values_list("people_max", "people_last", "entries", "exits"))
    assert samples == [(3, 3, 3, 0), (40, 40, 0, 2)]


def test_gate_pages_are_staff_only(client, now, paid_rule):
    client.force_login(UserFactory())
    assert client.get(reverse("gates_gate", args=[paid_rule.spot_id])).status_code == 403
    assert client.get(reverse("gates_counter", args=[paid_rule.spot_id])).status_code == 403


def test_gate_page_query_count(client, now, paid_rule, staff, django_assert_num_queries):
    url = reverse("gates_gate", args=[paid_rule.spot_id])
    client.get(url)
    # Session and user, rule, crowd; the site, its root and the footer; the messages' session.
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


def test_move_refuses_below_zero(paid_rule):
    with pytest.raises(crowding.CountRefused):
        crowding.move(paid_rule.spot_id, -1)
    assert not SpotCrowd.objects.filter(people__gt=0).exists()


def test_a_counter_press_sent_again_counts_once(client, now, paid_rule, staff):
    SpotCrowd.objects.create(spot=paid_rule.spot, comfortable=20, maximum=30)
    counter = reverse("gates_counter", args=[paid_rule.spot_id])
    press = {"action": "in", "press_key": "9d2c4b1a-7e6f-4a50-8c3d-2b1a0f9e8d77"}
    for _ in range(3):
        assert client.post(counter, press).status_code == 302
    assert SpotCrowd.objects.get().people == 1
    client.post(counter, {**press, "press_key": "0e3d5c2b-8f70-4b61-9d4e-3c2b1a0f9e88"})
    client.post(counter, {"action": "out", "press_key": "1f4e6d3c-9081-4c72-8e5f-4d3c2b1a0f99"})
    assert SpotCrowd.objects.get().people == 1
    (sample,) = CrowdSample.objects.all()
    assert (sample.entries, sample.exits) == (2, 1)
    # A typed count sent again is not counted again either (nor undoes what came after it).
    typed = {"action": "set", "people": "10", "press_key": "2a5f7e4d-a192-4d83-9f60-5e4d3c2b1a00"}
    client.post(counter, typed)
    client.post(counter, {**press, "press_key": "3b60f8e5-b2a3-4e94-a071-6f5e4d3c2b11"})
    client.post(counter, typed)
    assert SpotCrowd.objects.get().people == 11
    assert "data-press-key" in client.get(counter).text


def test_a_counter_key_that_cannot_be_one_is_refused(client, now, paid_rule, staff):
    counter = reverse("gates_counter", args=[paid_rule.spot_id])
    response = client.post(counter, {"action": "in", "press_key": "not a key"})
    assert response.status_code == 422
    assert not SpotCrowd.objects.filter(people__gt=0).exists()
