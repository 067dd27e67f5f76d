"""The town's figures (reports/figures.py) against a small town whose numbers are worked out by hand.

The town is tests/reports/figures_fixtures.py; each expected number below says how it was
reached. Readings of the contract that were a choice are marked "Reading:".
"""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from reports import figures
from reports.figures import Period
from tests.factories.home import make_home_page, translate
from tests.factories.homestays import HomestayPageFactory, RoomTypeFactory
from tests.factories.products import ProducerFactory, ProductFactory
from tests.factories.town import VillageFactory
from tests.reports.figures_fixtures import (
    add_more_orders,
    at,
    build_town,
    d,
    finish,
    make_order,
    product_sale,
    stay,
)

pytestmark = pytest.mark.date_sensitive

OCT = Period(d(2026, 10, 1), d(2026, 11, 1))
NOV = Period(d(2026, 11, 1), d(2026, 12, 1))
DEC = Period(d(2026, 12, 1), d(2027, 1, 1))
OCT_NOV = Period(d(2026, 10, 1), d(2026, 12, 1))

approx = pytest.approx


@pytest.fixture(scope="module")
def built_town(django_db_setup, django_db_blocker):
    """The town, built once for the module inside a transaction rolled back after it (each test
    still runs in its own savepoint, so what a test adds is gone for the next)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_town(make_home_page())
        transaction.set_rollback(True)


@pytest.fixture
def town(built_town, db):
    return built_town


def split(rows):
    """(rows by str(key), the total row); checks there is exactly one total row, the last."""
    assert rows, "no rows at all"
    assert rows[-1].is_total
    assert [row.is_total for row in rows[:-1]] == [False] * (len(rows) - 1)
    return {str(row.key): row for row in rows[:-1]}, rows[-1]


def stay_figures(row):
    return (
        row.rooms,
        row.room_nights_available,
        row.nights_sold,
        row.revenue_fen,
        row.average_nightly_fen,
        row.cancellations,
        row.cancelled_nights,
    )


def seat_figures(row):
    return (row.capacity, row.sold, row.checked_in, row.revenue_fen)


def shop_figures(row):
    return (row.orders, row.units, row.revenue_fen, row.fulfilled, row.open)


def money_figures(row):
    return (row.stays_fen, row.tours_fen, row.tickets_fen, row.produce_fen, row.total_fen, row.supported_fen)


# --- homestays ----------------------------------------------------------------------------------


def test_homestays_in_november(town):
    rows, total = split(figures.homestay_rows(NOV))
    assert set(rows) == {str(town.h1.pk), str(town.h2.pk), str(town.h3.pk)}
    h1, h2, h3 = rows[str(town.h1.pk)], rows[str(town.h2.pk)], rows[str(town.h3.pk)]
    assert (h1.name, h1.village) == ("桃源居", "桃花坞")
    # H1: rooms 2 + 1 = 3; 3 x 30 days = 90 less r2 closed Nov 29, 30 (2 x 1 unit) = 88.
    # Sold: o1 1 room x 3 nights = 3, 90000; o2 2 rooms x the night of Nov 30 = 2 room-nights,
    # floor(200002 x 1 / 3) = 66667. 5 room-nights, 156667; average 156667 // 5 = 31333.
    # Cancelled: o4b (refunded in full), 1 room x 1 night. o5 (lapsed) and o6 (pending): nothing.
    assert stay_figures(h1) == (3, 88, 5, 156667, 31333, 1, 1)
    assert h1.occupancy == approx(5 / 88)
    # H2: 2 rooms x 30 = 60 less r3 closed Nov 10..12 inclusive (3 nights x 2 units) = 54.
    # Sold: o3 1 room x 2 nights, 50001 less floor(50001 x 6881 / 68801) = 5000 -> 45001;
    # average 45001 // 2 = 22500. Cancelled: o4 (by the visitor), 1 room x 2 nights.
    assert stay_figures(h2) == (2, 54, 2, 45001, 22500, 1, 2)
    assert h2.occupancy == approx(2 / 54)
    # H3: 1 room x 30, never booked: occupancy 0, no average price.
    assert stay_figures(h3) == (1, 30, 0, 0, None, 0, 0)
    assert h3.occupancy == approx(0.0)
    # Total: 6 rooms, 88 + 54 + 30 = 172, 7 room-nights, 201668, 201668 // 7 = 28809, 2 cancelled
    # stays with 1 + 2 = 3 room-nights.
    assert stay_figures(total) == (6, 172, 7, 201668, 28809, 2, 3)
    assert total.occupancy == approx(7 / 172)


def test_a_stay_across_the_month_end_counts_its_nights_and_net_in_each_month(town):
    nov, _total = split(figures.homestay_rows(NOV))
    dec, _total = split(figures.homestay_rows(DEC))
    h1_dec = dec[str(town.h1.pk)]
    # o2 (2 rooms, nights Nov 30, Dec 1, Dec 2, 200002): December has 2 rooms x 2 nights = 4,
    # floor(200002 x 2 / 3) = floor(133334.67) = 133334; November had 66667 (floor of 66667.33).
    assert (h1_dec.nights_sold, h1_dec.revenue_fen) == (4, 133334)
    # Each window floors its share: together one fen short of the net 200002.
    assert nov[str(town.h1.pk)].revenue_fen - 90000 + h1_dec.revenue_fen == 200001
    # December: 3 rooms x 31 less r2 closed Dec 1, 2 (end date included) = 91.
    assert h1_dec.room_nights_available == 91
    assert h1_dec.average_nightly_fen == 133334 // 4


def test_a_partial_refund_lowers_every_line_of_its_order_pro_rata(town):
    stays, _total = split(figures.homestay_rows(NOV))
    shop, _total = split(figures.shop_rows(NOV))
    # o3: 68801 refunded 6881 (two refunds). Stay 50001 - floor(50001 x 6881 / 68801) = 50001 - 5000;
    # tea 18800 - floor(18800 x 6881 / 68801) = 18800 - 1880 = 16920, with p11's 27600 for P2.
    assert stays[str(town.h2.pk)].revenue_fen == 45001
    assert shop[str(town.p2.pk)].revenue_fen == 27600 + 16920


def test_cancelled_lapsed_and_pending_stays(town):
    rows, total = split(figures.homestay_rows(Period(d(2026, 11, 10), d(2026, 11, 27))))
    h1, h2 = rows[str(town.h1.pk)], rows[str(town.h2.pk)]
    # Nov 10..26: o5 (lapsed, Nov 10-11) and o6 (pending, Nov 16-17) sell nothing and are no
    # cancellations; o4b (refunded in full, Nov 14) is one; o4 (cancelled by the visitor,
    # Nov 24-25) is one with its 2 nights; o3 (Nov 20-21) is the only sale.
    assert (h1.nights_sold, h1.revenue_fen, h1.cancellations, h1.cancelled_nights) == (0, 0, 1, 1)
    assert (h2.nights_sold, h2.revenue_fen, h2.cancellations, h2.cancelled_nights) == (2, 45001, 1, 2)
    # 17 days: H1 3 x 17 = 51 (r2's closure starts Nov 29); H2 2 x 17 - 6 = 28.
    assert (h1.room_nights_available, h2.room_nights_available) == (51, 28)
    assert h1.occupancy == approx(0.0)
    assert (total.nights_sold, total.cancellations) == (2, 2)


def test_homestays_by_village_and_filtered_by_village(town):
    rows, total = split(figures.homestay_rows(NOV, group="village"))
    assert set(rows) == {str(town.a.pk), str(town.b.pk)}
    # A: H1 + H3: rooms 3 + 1, 88 + 30 = 118 available, 5 nights, 156667, 31333, 1 cancelled (1 night).
    assert stay_figures(rows[str(town.a.pk)]) == (4, 118, 5, 156667, 31333, 1, 1)
    assert rows[str(town.a.pk)].occupancy == approx(5 / 118)
    assert stay_figures(rows[str(town.b.pk)]) == (2, 54, 2, 45001, 22500, 1, 2)
    assert stay_figures(total) == (6, 172, 7, 201668, 28809, 2, 3)

    only_b, total_b = split(figures.homestay_rows(NOV, village_id=town.b.pk))
    assert set(only_b) == {str(town.h2.pk)}
    assert stay_figures(total_b) == (2, 54, 2, 45001, 22500, 1, 2)


# --- tours and events -----------------------------------------------------------------------------


def test_tour_slots_and_events_in_november(town):
    rows = figures.tour_event_rows(NOV)
    by_key, total = split(rows)
    s1, s2, c1, s4 = (by_key[f"slot:{slot.pk}"] for slot in (town.s1, town.s2, town.c1, town.s4))
    ev1 = by_key[f"event:{town.ev1.pk}"]
    # By date: s2 (Nov 1 00:30 town time, Oct 31 in UTC), s1 (Nov 7), c1 (Nov 14), s4 (Nov 20),
    # ev1 (Nov 21). s3 (Oct 31 23:30 town time) and ev2 (Dec 5) are not in November.
    assert [row.key for row in rows[:-1]] == [
        f"slot:{town.s2.pk}",
        f"slot:{town.s1.pk}",
        f"slot:{town.c1.pk}",
        f"slot:{town.s4.pk}",
        f"event:{town.ev1.pk}",
    ]
    assert [row.date for row in rows[:-1]] == [
        d(2026, 11, 1),
        d(2026, 11, 7),
        d(2026, 11, 14),
        d(2026, 11, 20),
        d(2026, 11, 21),
    ]
    assert [row.kind for row in rows[:-1]] == ["tour", "tour", "tour", "tour", "event"]
    assert (s1.name, s1.village, ev1.name, ev1.village) == ("草莓采摘", "桃花坞", "茶山音乐节", "茶山村")
    # s2: its own capacity 4, 4 sold, all 4 checked in, 32000.
    assert seat_figures(s2) == (4, 4, 4, 32000)
    assert (s2.fill_rate, s2.attendance_rate) == (approx(1.0), approx(1.0))
    # s1: E1's 10 seats; 3 (paid, checked in) + 2 (confirmed, not yet) = 5 sold; pending 4 and
    # cancelled 1 do not count. 20000 + 16000 = 36000. Fill 5/10, attendance 3/5.
    assert seat_figures(s1) == (10, 5, 3, 36000)
    assert (s1.fill_rate, s1.attendance_rate) == (approx(0.5), approx(0.6))
    # c1 (camping): 5 pitches, 5 people on ceil(5/4) = 2 pitches, checked in, 50000.
    # Reading: checked_in counts in the unit of sold (pitches), so attendance stays within 0..1.
    assert seat_figures(c1) == (5, 2, 2, 50000)
    assert c1.fill_rate == approx(0.4)
    # s4: nobody booked. Reading: every slot starting in the period has a row, empty ones too.
    assert seat_figures(s4) == (10, 0, 0, 0)
    assert s4.fill_rate == approx(0.0)
    assert s4.attendance_rate is None
    # ev1: capacity 100 + 50 = 150; 3 day passes (checked in) + 2 free (not) = 5; 15000 + 0.
    assert seat_figures(ev1) == (150, 5, 3, 15000)
    assert (ev1.fill_rate, ev1.attendance_rate) == (approx(5 / 150), approx(3 / 5))
    # Total: 4 + 10 + 5 + 10 + 150 = 179; 4 + 5 + 2 + 0 + 5 = 16; 4 + 3 + 2 + 0 + 3 = 12;
    # 32000 + 36000 + 50000 + 0 + 15000 = 133000.
    assert seat_figures(total) == (179, 16, 12, 133000)
    assert (total.fill_rate, total.attendance_rate) == (approx(16 / 179), approx(12 / 16))


def test_tours_grouped_by_experience(town):
    by_key, total = split(figures.tour_event_rows(NOV, group="experience"))
    assert set(by_key) == {f"experience:{town.e1.pk}", f"experience:{town.e2.pk}", f"event:{town.ev1.pk}"}
    e1 = by_key[f"experience:{town.e1.pk}"]
    # E1 in November: s2, s1, s4: capacity 4 + 10 + 10 = 24, sold 4 + 5 + 0 = 9, checked in
    # 4 + 3 = 7, 32000 + 36000 = 68000.
    assert seat_figures(e1) == (24, 9, 7, 68000)
    assert (e1.date, e1.kind) == (None, "tour")
    assert (e1.fill_rate, e1.attendance_rate) == (approx(9 / 24), approx(7 / 9))
    assert seat_figures(by_key[f"experience:{town.e2.pk}"]) == (5, 2, 2, 50000)
    assert seat_figures(by_key[f"event:{town.ev1.pk}"]) == (150, 5, 3, 15000)
    assert seat_figures(total) == (179, 16, 12, 133000)


def test_tours_by_village_and_in_october(town):
    by_key, total = split(figures.tour_event_rows(NOV, village_id=town.a.pk))
    # Village A: E1's slots only (camping and the festival are in B).
    assert set(by_key) == {f"slot:{town.s1.pk}", f"slot:{town.s2.pk}", f"slot:{town.s4.pk}"}
    assert seat_figures(total) == (24, 9, 7, 68000)

    by_key, total = split(figures.tour_event_rows(OCT))
    # October: s3 only (Oct 31 23:30 town time); s2 at Nov 1 00:30 town time is November's.
    assert set(by_key) == {f"slot:{town.s3.pk}"}
    assert by_key[f"slot:{town.s3.pk}"].date == d(2026, 10, 31)
    assert seat_figures(total) == (10, 2, 2, 16000)


# --- shop -----------------------------------------------------------------------------------------


def test_shop_by_producer(town):
    by_key, total = split(figures.shop_rows(NOV))
    assert set(by_key) == {str(town.p1.pk), str(town.p2.pk)}
    p1, p2 = by_key[str(town.p1.pk)], by_key[str(town.p2.pk)]
    assert (p1.name, p1.supported_household, p2.supported_household) == ("李阿婆", True, False)
    # P1: orders p10, p11, p14 = 3; units 2 + 1 + 1 + 1 = 5; 13600 + 13200 (12000 + 1200
    # shipping) + 6800 + 6800 = 40400; fulfilled p10 eggs (4 h) and p11 eggs (2 h); open p10 tea
    # (packed) and p14 eggs. p12 (pending) and p17 (cancelled) are not sales.
    assert shop_figures(p1) == (3, 5, 40400, 2, 2)
    assert p1.average_fulfilment_hours == approx(3.0)
    # P2: orders p11, o3 = 2; units 3 + 2; 27600 + 16920 (o3's tea after its refund share);
    # shipped p11 (Nov 10 08:00 -> Nov 11 20:00 = 36 h); o3's tea open.
    assert shop_figures(p2) == (2, 5, 44520, 1, 1)
    assert p2.average_fulfilment_hours == approx(36.0)
    # Total: distinct orders p10, p11, p14, o3 = 4 (p11 has both producers); 10 units; 84920;
    # average over the 3 fulfilled lines (4 + 2 + 36) / 3 = 14 hours.
    assert shop_figures(total) == (4, 10, 84920, 3, 3)
    assert total.average_fulfilment_hours == approx(14.0)


def test_shop_by_village_and_category(town):
    by_key, total = split(figures.shop_rows(NOV, group="village"))
    assert set(by_key) == {str(town.a.pk), str(town.b.pk)}
    assert shop_figures(by_key[str(town.a.pk)]) == (3, 5, 40400, 2, 2)
    assert shop_figures(by_key[str(town.b.pk)]) == (2, 5, 44520, 1, 1)
    assert shop_figures(total) == (4, 10, 84920, 3, 3)

    by_key, total = split(figures.shop_rows(NOV, group="category"))
    assert set(by_key) == {"meat_eggs", "tea"}
    # Eggs: p10 (2, 13600, 4 h), p11 (1, 6800, 2 h), p14 (1, 6800, open): 3 orders, 4 units,
    # 27200, 2 fulfilled, 1 open, 3 h on average.
    assert shop_figures(by_key["meat_eggs"]) == (3, 4, 27200, 2, 1)
    assert by_key["meat_eggs"].average_fulfilment_hours == approx(3.0)
    # Tea: p10 tea (1, 13200, packed), p11 white tea (3, 27600, 36 h), o3 white tea (2, 16920,
    # open): 3 orders, 6 units, 57720, 1 fulfilled, 2 open.
    assert shop_figures(by_key["tea"]) == (3, 6, 57720, 1, 2)
    assert by_key["tea"].average_fulfilment_hours == approx(36.0)
    assert shop_figures(total) == (4, 10, 84920, 3, 3)
    with translation.override("en"):  # names are translated when the rows are made
        english, _total = split(figures.shop_rows(NOV, group="category"))
    assert str(english["tea"].name) == "Tea"

    by_key, total = split(figures.shop_rows(NOV, village_id=town.b.pk))
    assert set(by_key) == {str(town.p2.pk)}
    assert shop_figures(total) == (2, 5, 44520, 1, 1)


def test_produce_counts_on_the_local_day_it_was_ordered(town):
    by_key, total = split(figures.shop_rows(OCT))
    # October: p13 only (Oct 31 23:30 town time); p14 (Nov 1 00:30 town time, still Oct 31 in
    # UTC) is November's.
    assert set(by_key) == {str(town.p1.pk)}
    assert shop_figures(total) == (1, 1, 6800, 0, 1)
    assert total.average_fulfilment_hours is None


# --- prosperity -----------------------------------------------------------------------------------


def test_prosperity_month_by_month(town):
    rows = figures.prosperity_rows(OCT_NOV)
    # October: A only (B sold nothing), then the month's total; November: A, B, total.
    assert [(row.month, row.village_id, row.is_total) for row in rows if row.is_total] == [
        (d(2026, 10, 1), None, True),
        (d(2026, 11, 1), None, True),
    ]
    assert [row.month for row in rows] == sorted(row.month for row in rows)
    assert len(rows) == 5
    got = {(row.month, row.village_id): row for row in rows}
    oct_a, oct_total = got[(d(2026, 10, 1), town.a.pk)], got[(d(2026, 10, 1), None)]
    # Oct A: o7 84000 (H1, host is supported P1), s3 16000 (guide: not supported), p13 6800 (P1).
    assert money_figures(oct_a) == (84000, 16000, 0, 6800, 106800, 84000 + 6800)
    assert oct_a.supported_share == approx(90800 / 106800)
    assert money_figures(oct_total) == money_figures(oct_a)
    nov_a, nov_b = got[(d(2026, 11, 1), town.a.pk)], got[(d(2026, 11, 1), town.b.pk)]
    nov_total = got[(d(2026, 11, 1), None)]
    # Nov A: stays H1 156667; tours s1 36000 + s2 32000; produce P1 40400 -> 265067;
    # supported 156667 + 40400 = 197067.
    assert money_figures(nov_a) == (156667, 68000, 0, 40400, 265067, 197067)
    # Nov B: stays H2 45001; camping 50000; festival 15000; produce P2 44520 -> 154521; no
    # supported household among them.
    assert money_figures(nov_b) == (45001, 50000, 15000, 44520, 154521, 0)
    assert nov_b.supported_share == approx(0.0)
    assert money_figures(nov_total) == (201668, 118000, 15000, 84920, 419588, 197067)
    assert nov_total.supported_share == approx(197067 / 419588)
    assert rows[-1] is nov_total  # the month's total comes after its villages
    with translation.override("en"):
        assert str(figures.prosperity_rows(OCT_NOV)[-1].village) == "All villages"


def test_prosperity_for_one_village_and_in_december(town):
    rows = figures.prosperity_rows(OCT_NOV, village_id=town.b.pk)
    # Reading (the lead's): every month of the period has its total row, zero when nothing sold;
    # villages only with sales. B sold nothing in October: its total alone, then November's B and
    # total (= B).
    assert [(row.month, row.village_id) for row in rows] == [
        (d(2026, 10, 1), None),
        (d(2026, 11, 1), town.b.pk),
        (d(2026, 11, 1), None),
    ]
    assert money_figures(rows[0]) == (0, 0, 0, 0, 0, 0)
    assert rows[0].supported_share is None
    assert money_figures(rows[2]) == money_figures(rows[1]) == (45001, 50000, 15000, 44520, 154521, 0)

    got = {row.village_id: row for row in figures.prosperity_rows(DEC)}
    # December: o2's share floor(200002 x 2 / 3) = 133334 and p15 6800 in A (both P1's: supported);
    # the temple fair's 2 x 5000 in B.
    assert money_figures(got[town.a.pk]) == (133334, 0, 0, 6800, 140134, 140134)
    assert money_figures(got[town.b.pk]) == (0, 0, 10000, 0, 10000, 0)
    assert money_figures(got[None]) == (133334, 0, 10000, 6800, 150134, 140134)


# --- dashboard ------------------------------------------------------------------------------------


def test_dashboard(town):
    board = figures.dashboard(today=d(2026, 12, 15))
    assert board.month == d(2026, 12, 1)
    metrics = {metric.key: metric for metric in board.metrics}
    assert [metric.key for metric in board.metrics] == [
        "nights_sold",
        "occupancy",
        "tour_seats",
        "tickets_sold",
        "produce_fen",
        "village_fen",
        "supported_share",
    ]
    assert {key: metric.unit for key, metric in metrics.items()} == {
        "nights_sold": "count",
        "occupancy": "percent",
        "tour_seats": "count",
        "tickets_sold": "count",
        "produce_fen": "fen",
        "village_fen": "fen",
        "supported_share": "percent",
    }

    def three(key):
        metric = metrics[key]
        return (metric.this_month, metric.last_month, metric.same_month_last_year)

    # Nights: December o2's 2 rooms x (Dec 1, Dec 2) = 4; November 7; Dec 2025 o8 1 x 2 = 2.
    assert three("nights_sold") == (4, 7, 2)
    # Occupancy. Reading (the lead's): this month is all of December as booked so far:
    # 6 rooms x 31 less r2 closed Dec 1, 2 = 184; November 7 / 172; Dec 2025 6 x 31 = 186.
    assert three("occupancy") == (approx(4 / 184), approx(7 / 172), approx(2 / 186))
    # Tour seats (pitches for camping): November 4 + 5 + 2 = 11. Tickets: ev2 2; November 5.
    assert three("tour_seats") == (0, 11, 0)
    assert three("tickets_sold") == (2, 5, 0)
    # Produce: p15 6800; November 84920; Dec 2025 p16 8800.
    assert three("produce_fen") == (6800, 84920, 8800)
    # All money: Dec 133334 + 6800 + 10000 = 150134; November 419588; Dec 2025 40000 + 8800.
    assert three("village_fen") == (150134, 419588, 48800)
    # Supported: Dec 133334 + 6800 (P1's stay and eggs); November 197067; Dec 2025 none.
    assert three("supported_share") == (approx(140134 / 150134), approx(197067 / 419588), approx(0.0))

    # Reading: the last 12 months are this month and the 11 before, oldest first.
    months = [figure.month for figure in board.revenue_by_month]
    assert len(months) == 12
    assert months[0] == d(2026, 1, 1)
    assert months[-1] == d(2026, 12, 1)
    assert months == sorted(months)
    money = {figure.month: (figure.total_fen, figure.supported_fen) for figure in board.revenue_by_month}
    assert money[d(2026, 10, 1)] == (106800, 90800)
    assert money[d(2026, 11, 1)] == (419588, 197067)
    assert money[d(2026, 12, 1)] == (150134, 140134)
    assert all(money[month] == (0, 0) for month in months[:9])


def test_dashboard_this_month_counts_the_bookings_made_for_it(town):
    # Reading (the lead's): this month is the whole month as booked so far: a stay later in the
    # month is already sold. r3, 1 room, Dec 20 -> Dec 22: 2 more nights, 50000 more.
    later = make_order("paid", created=at(2026, 12, 10, 9))
    stay(later, town.r3, d(2026, 12, 20), 2, unit_fen=50000)
    finish(later)
    metrics = {metric.key: metric for metric in figures.dashboard(today=d(2026, 12, 15)).metrics}
    assert metrics["nights_sold"].this_month == 4 + 2
    assert metrics["occupancy"].this_month == approx(6 / 184)
    assert metrics["village_fen"].this_month == 150134 + 50000
    assert metrics["nights_sold"].last_month == 7


def test_the_cache_keeps_languages_apart(town):
    with translation.override("zh-hans"):
        figures.prosperity_rows(OCT_NOV)
        figures.town_in_numbers(today=d(2026, 11, 29))
    with translation.override("en"):
        assert str(figures.prosperity_rows(OCT_NOV)[-1].village) == "All villages"
        assert str(figures.town_in_numbers(today=d(2026, 11, 29)).season) == "Autumn 2026"


# --- town in numbers ------------------------------------------------------------------------------


def test_town_in_numbers(town):
    with translation.override("en"):  # the season's name is translated when computed
        numbers = figures.town_in_numbers(today=d(2026, 11, 29))
    # Autumn: Sep 1 .. Nov 29 included.
    assert numbers.period == Period(d(2026, 9, 1), d(2026, 11, 30))
    assert numbers.season == "Autumn 2026"
    # Reading: a stay's guests count when one of its nights is in the season so far.
    # Guests: stays o7 2, o1 2, o3 1 (o2's first night, Nov 30, is after today); tours s3 2,
    # s2 4, s1 3 + 2, camping 5 people; festival 3 + 2 -> 5 + 16 + 5 = 26.
    assert numbers.visitors == 26
    # Produce: p13 1 + November's 10 units; 6800 + 84920.
    assert (numbers.produce_units, numbers.produce_fen) == (11, 91720)
    # Money by village: A October 106800 + November 265067 less o2's Nov 30 share 66667 = 305200;
    # B 154521. Of 459721.
    assert [share.village for share in numbers.village_shares] == ["桃花坞", "茶山村"]
    assert [share.share for share in numbers.village_shares] == [
        approx(305200 / 459721),
        approx(154521 / 459721),
    ]
    assert numbers.villages_reached == 2
    # One supported household (P1) had sales: too few to show.
    assert numbers.supported_share is None


def test_the_supported_share_shows_from_three_households(town):
    p3 = ProducerFactory(village=town.b, supported_household=True)
    p4 = ProducerFactory(village=town.a, supported_household=True)
    product_sale(ProductFactory(producer=p3, price_fen=1000), 1, at(2026, 11, 20, 9))
    assert figures.town_in_numbers(today=d(2026, 11, 29)).supported_share is None  # P1, P3: two

    product_sale(ProductFactory(producer=p4, price_fen=2000), 1, at(2026, 11, 21, 9))
    cache.clear()
    numbers = figures.town_in_numbers(today=d(2026, 11, 29))
    # Supported: H1's stays o7 84000 + o1 90000, P1's eggs and tea 6800 + 40400, P3 1000, P4 2000
    # = 224200 of 459721 + 3000 = 462721.
    assert numbers.supported_share == approx(224200 / 462721)


def test_town_in_numbers_shows_at_most_five_villages(town):
    # Four more villages selling in October: V0 500000, V1 400000, V2 200000, V3 100000; with A
    # 305200 and B 154521 the five largest are V0, V1, A, V2, B of 459721 + 1200000 = 1659721.
    for n, fen in enumerate((500000, 400000, 200000, 100000)):
        village = VillageFactory(name=f"V{n}")
        farm = ProducerFactory(village=village)
        product_sale(ProductFactory(producer=farm, price_fen=fen), 1, at(2026, 10, 10))
    numbers = figures.town_in_numbers(today=d(2026, 11, 29))
    assert [share.village for share in numbers.village_shares] == ["V0", "V1", "桃花坞", "V2", "茶山村"]
    assert [share.share for share in numbers.village_shares] == [
        approx(fen / 1659721) for fen in (500000, 400000, 305200, 200000, 154521)
    ]
    assert numbers.villages_reached == 6


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (d(2027, 1, 10), d(2026, 12, 1), d(2027, 1, 11)),  # winter spans the new year
        (d(2026, 2, 28), d(2025, 12, 1), d(2026, 3, 1)),
        (d(2026, 3, 1), d(2026, 3, 1), d(2026, 3, 2)),  # the first day of spring
        (d(2026, 8, 31), d(2026, 6, 1), d(2026, 9, 1)),
    ],
)
def test_season_bounds(db, today, start, end):
    assert figures.town_in_numbers(today=today).period == Period(start, end)


def test_translated_pages_add_no_rows(town, en_locale):
    # English copies of a homestay (with copies of its room types) and of the festival (sharing its
    # ticket types): still three homestays and one festival, named in English for English staff.
    translate(town.h1, title="Peach Garden Inn")
    translate(town.ev1, title="Tea Hill Music Festival")
    with translation.override("en"):
        rows, total = split(figures.homestay_rows(NOV))
        events = [row for row in figures.tour_event_rows(NOV) if row.kind == "event" and not row.is_total]
    assert set(rows) == {str(town.h1.pk), str(town.h2.pk), str(town.h3.pk)}
    assert stay_figures(total) == (6, 172, 7, 201668, 28809, 2, 3)
    assert rows[str(town.h1.pk)].name == "Peach Garden Inn"
    assert [(row.key, row.capacity, row.sold) for row in events] == [(f"event:{town.ev1.pk}", 150, 5)]
    assert events[0].name == "Tea Hill Music Festival"


# --- totals, cache, queries -----------------------------------------------------------------------

ROW_CALLS = {
    "homestays": (
        lambda: figures.homestay_rows(NOV),
        ("rooms", "room_nights_available", "nights_sold", "revenue_fen", "cancellations", "cancelled_nights"),
    ),
    "homestays by village": (
        lambda: figures.homestay_rows(NOV, group="village"),
        ("rooms", "room_nights_available", "nights_sold", "revenue_fen", "cancellations"),
    ),
    "slots": (lambda: figures.tour_event_rows(NOV), ("capacity", "sold", "checked_in", "revenue_fen")),
    "experiences": (
        lambda: figures.tour_event_rows(NOV, group="experience"),
        ("capacity", "sold", "checked_in", "revenue_fen"),
    ),
    # Orders are distinct in the total (one order can buy from two producers): not summed here.
    "producers": (lambda: figures.shop_rows(NOV), ("units", "revenue_fen", "fulfilled", "open")),
    "categories": (
        lambda: figures.shop_rows(NOV, group="category"),
        ("units", "revenue_fen", "fulfilled", "open"),
    ),
}


@pytest.mark.parametrize("name", ROW_CALLS)
def test_totals_are_the_sum_of_their_rows(town, name):
    call, fields = ROW_CALLS[name]
    rows, total = split(call())
    for field in fields:
        assert getattr(total, field) == sum(getattr(row, field) for row in rows.values()), field


def test_prosperity_totals_are_the_sum_of_their_villages(town):
    rows = figures.prosperity_rows(Period(d(2026, 10, 1), d(2027, 1, 1)))
    fields = ("stays_fen", "tours_fen", "tickets_fen", "produce_fen", "total_fen", "supported_fen")
    months = sorted({row.month for row in rows})
    assert months == [d(2026, 10, 1), d(2026, 11, 1), d(2026, 12, 1)]
    for month in months:
        villages = [row for row in rows if row.month == month and not row.is_total]
        (total,) = [row for row in rows if row.month == month and row.is_total]
        for field in fields:
            assert getattr(total, field) == sum(getattr(row, field) for row in villages), (month, field)
        for row in villages:
            assert row.total_fen == row.stays_fen + row.tours_fen + row.tickets_fen + row.produce_fen


CALLS = {
    "homestay_rows": lambda: figures.homestay_rows(NOV),
    "homestay_rows by village": lambda: figures.homestay_rows(NOV, group="village"),
    "tour_event_rows": lambda: figures.tour_event_rows(NOV),
    "tour_event_rows by experience": lambda: figures.tour_event_rows(NOV, group="experience"),
    "shop_rows": lambda: figures.shop_rows(NOV),
    "shop_rows by village": lambda: figures.shop_rows(NOV, group="village"),
    "shop_rows by category": lambda: figures.shop_rows(NOV, group="category"),
    "prosperity_rows": lambda: figures.prosperity_rows(OCT_NOV),
    "dashboard": lambda: figures.dashboard(today=d(2026, 12, 15)),
    "town_in_numbers": lambda: figures.town_in_numbers(today=d(2026, 11, 29)),
}


@pytest.mark.parametrize("name", CALLS)
def test_figures_are_cached(town, name, django_assert_num_queries):
    call = CALLS[name]
    with CaptureQueriesContext(connection) as first:
        result = call()
    assert len(first) > 0
    with django_assert_num_queries(0):
        assert call() == result
    cache.clear()
    with CaptureQueriesContext(connection) as again:
        assert call() == result
    assert len(again) > 0


def test_the_cache_tells_arguments_apart(town):
    assert figures.homestay_rows(NOV) != figures.homestay_rows(DEC)
    assert figures.homestay_rows(NOV, village_id=town.b.pk) != figures.homestay_rows(NOV)
    assert figures.shop_rows(NOV, group="category") != figures.shop_rows(NOV, group="village")
    assert figures.dashboard(today=d(2026, 12, 15)) != figures.dashboard(today=d(2026, 11, 15))


@pytest.mark.parametrize("name", CALLS)
def test_queries_do_not_grow_with_orders(town, name, django_assert_num_queries):
    call = CALLS[name]
    call()  # warm Django's own caches (content types, locales)
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        before = call()
    add_more_orders(town)
    cache.clear()
    with django_assert_num_queries(len(small)):
        after = call()
    assert after != before  # the extra orders are in the figures


def test_a_draft_homestay_adds_no_room_nights(town):
    before = figures.homestay_rows.uncached(NOV)[-1]
    draft = HomestayPageFactory(parent=town.h1.get_parent(), title="未上线民宿", village=town.a)
    RoomTypeFactory(page=draft, units=5)
    type(draft).objects.filter(pk=draft.pk).update(live=False)  # a draft, never published
    after = figures.homestay_rows.uncached(NOV)
    assert draft.pk not in {row.key for row in after}
    assert after[-1].room_nights_available == before.room_nights_available
