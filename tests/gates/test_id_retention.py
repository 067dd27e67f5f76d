"""PIPL: the ID numbers of real-name entries are removed GATES_ID_RETENTION_DAYS after the visit
day (gates.retention), by a command and a task; the masked number and the counts stay, and the
gate still answers clearly about such an entry."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from gates import gate, retention
from gates.models import EntryPass
from gates.tasks import purge_id_numbers_daily
from orders import basket as basket_service
from orders.models import Basket, BasketLine, OrderLine, Reservation
from orders.vouchers import CheckInResult
from tests.factories.accounts import UserFactory, VerifiedUserFactory
from tests.orders.checkout_fixtures import check_out

from .conftest import NOW, id_number, window_at

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

ALICE = id_number("33010619900307123")
BOB = id_number("11010519850101002")


def book(rule, day_offset, holders):
    basket = Basket.objects.create(user=VerifiedUserFactory())
    data = {"kind": "entry", "window_id": window_at(rule, day_offset).pk}
    data["holders"] = [{"name": n, "id_number": i} for n, i in holders]
    basket_service.add_line(basket, data)
    return check_out(basket.user, basket).order.lines.get()


def days_after(time_machine, days):
    time_machine.move_to(NOW + datetime.timedelta(days=days), tick=False)


def secrets_of(line):
    line.refresh_from_db()
    return [(h.get("id_sealed"), h.get("id_hash")) for h in line.options["holders"]]


@pytest.fixture
def two_days(real_name_rule):
    """Today's entry for two people and tomorrow's for one."""
    today = book(real_name_rule, 0, [("王芳", ALICE), ("李明", BOB)])
    tomorrow = book(real_name_rule, 1, [("王芳", ALICE)])
    return today, tomorrow


def test_numbers_stay_the_retention_days_after_the_visit_then_go(two_days, time_machine):
    today, tomorrow = two_days
    days_after(time_machine, 7)  # 22 March: the 15th is 7 days past, still kept
    result = retention.purge_id_numbers()
    assert (result.lines, result.passes) == (0, 0)
    assert all(sealed and digest for sealed, digest in secrets_of(today))

    days_after(time_machine, 8)  # 23 March: the 15th goes, the 16th stays a day more
    result = retention.purge_id_numbers()
    assert result.cutoff == datetime.date(2027, 3, 16)
    assert (result.lines, result.passes) == (1, 2)
    today.refresh_from_db()
    assert today.options["holders"] == [
        {"name": "王芳", "id_type": "id_card", "id_masked": "3301**********" + ALICE[-4:]},
        {"name": "李明", "id_type": "id_card", "id_masked": "1101**********" + BOB[-4:]},
    ]
    assert all(sealed and digest for sealed, digest in secrets_of(tomorrow))
    hashes = set(EntryPass.objects.filter(date=NOW.date()).values_list("id_hash", flat=True))
    assert all(h.startswith(retention.FORGOTTEN) for h in hashes) and len(hashes) == 2
    assert not EntryPass.objects.filter(date=NOW.date() + datetime.timedelta(days=1)).filter(
        id_hash__startswith=retention.FORGOTTEN
    )


def test_counts_and_claims_are_untouched(two_days, time_machine):
    today, _tomorrow = two_days
    before = sorted(Reservation.objects.values_list("kind", "object_id", "quantity", "status"))
    days_after(time_machine, 30)
    assert retention.purge_id_numbers().lines == 2
    assert sorted(Reservation.objects.values_list("kind", "object_id", "quantity", "status")) == before
    today.refresh_from_db()
    assert (today.quantity, today.guests, today.total_fen) == (2, 2, 0)


def test_running_again_removes_nothing_more(two_days, time_machine):
    days_after(time_machine, 30)
    assert retention.purge_id_numbers().lines == 2
    again = retention.purge_id_numbers()
    assert (again.lines, again.passes, again.basket_lines) == (0, 0, 0)


@override_settings(GATES_ID_RETENTION_DAYS=0)
def test_zero_days_keeps_them_for_the_visit_day_only(two_days, time_machine):
    today, tomorrow = two_days
    assert retention.purge_id_numbers().lines == 0  # the gate needs them today
    days_after(time_machine, 1)
    assert retention.purge_id_numbers().lines == 1
    assert secrets_of(today) == [(None, None), (None, None)]
    assert all(sealed for sealed, _digest in secrets_of(tomorrow))


@override_settings(GATES_ID_RETENTION_DAYS=-1)
def test_a_negative_setting_is_refused(now):
    with pytest.raises(ImproperlyConfigured):
        retention.purge_id_numbers()


def test_the_gate_refuses_a_purged_entry_with_the_reason_and_shows_the_mask(
    two_days, real_name_rule, time_machine
):
    today, _tomorrow = two_days
    days_after(time_machine, 8)
    retention.purge_id_numbers()
    staff = UserFactory(is_staff=True)
    by_code = gate.admit_code(real_name_rule, today.voucher.code, by_user=staff)
    assert by_code.result == CheckInResult.ELSEWHERE
    assert by_code.reason == "This entry is for 2027-03-15, not today."
    by_id = gate.admit_id(real_name_rule, ALICE, by_user=staff)
    assert by_id.result == CheckInResult.NOT_VALID
    assert by_id.reason == "No entry is booked today for this ID number."
    today.refresh_from_db()
    assert [h["id_number"] for h in gate.holders_at_gate(today)] == [
        "3301**********" + ALICE[-4:],
        "1101**********" + BOB[-4:],
    ]


def test_stale_basket_lines_go_and_current_ones_stay(real_name_rule, now, time_machine):
    basket = Basket.objects.create(user=VerifiedUserFactory())
    for offset in (0, 2):
        basket_service.add_line(
            basket,
            {
                "kind": "entry",
                "window_id": window_at(real_name_rule, offset).pk,
                "holders": [{"name": "王芳", "id_number": ALICE}],
            },
        )
    days_after(time_machine, 9)  # cutoff 17 March: the 15th's line goes, the 17th's stays
    assert retention.purge_id_numbers().basket_lines == 1
    assert list(BasketLine.objects.values_list("start_date", flat=True)) == [datetime.date(2027, 3, 17)]


def test_the_command_and_the_task_purge(two_days, time_machine):
    days_after(time_machine, 8)
    out = StringIO()
    call_command("gates_purge_id_numbers", stdout=out)
    assert "before 2027-03-16: 1 order line(s), 2 pass(es)" in out.getvalue()
    days_after(time_machine, 9)
    result = purge_id_numbers_daily.enqueue()
    assert result.return_value == {"cutoff": "2027-03-17", "lines": 1, "passes": 1, "basket_lines": 0}
    assert not OrderLine.objects.filter(options__holders__0__has_key="id_sealed").exists()
