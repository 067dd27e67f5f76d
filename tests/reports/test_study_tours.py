"""The study-tour report (reports.study_tours, the rules in groups.selectors): groups and pupils per
month of their first day, the accepted quotes' money by village, which programmes sell; its
page, exports, filters and a query count that does not grow with the quotes."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from accounts.roles import HOSTS
from accounts.services import assign_role
from gates.models import EntryDay, EntryRule, EntryWindow
from groups.models import GroupEnquiry, Quote, QuoteLine, QuoteLineKind, QuoteStatus
from reports import study_tours
from reports.figures import Period
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.attractions import (
    AttractionIndexPageFactory,
    AttractionPageFactory,
    ExperiencePageFactory,
    TourSlotFactory,
)
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory, RoomTypeFactory
from tests.factories.town import VillageFactory
from tests.groups.conftest import ProgrammeIndexFactory, make_programme
from tests.reports.test_views import editor, read_csv, read_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]

TOWN = ZoneInfo("Asia/Shanghai")
# Mid-January: the default period is the new year, the groups straddle its first night.
NOW = datetime.datetime(2027, 1, 10, 9, 0, tzinfo=TOWN)
DEC31, JAN1 = datetime.date(2026, 12, 31), datetime.date(2027, 1, 1)
EDGE = {"period_from": "2026-12-01", "period_to": "2027-01-31"}


def at(day, hour):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TOWN)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def town(home_page, now):
    """Tea village (a homestay, the tea tour through its meeting point, the tea programme) and
    Peach village (the museum's timed entry, the farm programme)."""
    tea, peach = VillageFactory(name="茶山村"), VillageFactory(name="桃花坞")
    homestay = HomestayPageFactory(
        parent=HomestayIndexPageFactory(parent=home_page), title="茶山民宿", village=tea
    )
    room = RoomTypeFactory(page=homestay, units=20, max_guests=4)
    attractions = AttractionIndexPageFactory(parent=home_page)
    hill = AttractionPageFactory(parent=attractions, title="茶园", slug="tea-garden", village=tea)
    # No village of its own: the money goes to its meeting point's.
    picking = ExperiencePageFactory(
        parent=attractions, title="采茶", slug="tea-picking", meeting_point=hill, schedules=[], capacity=80
    )
    museum = AttractionPageFactory(parent=attractions, title="红色文化馆", slug="museum", village=peach)
    rule = EntryRule.objects.create(
        spot=museum, opens_at=datetime.time(9), closes_at=datetime.time(12), per_window=200
    )
    windows = {}
    for day in (DEC31, JAN1):
        entry_day = EntryDay.objects.create(rule=rule, date=day)
        windows[day] = EntryWindow.objects.create(
            rule=rule, day=entry_day, starts_at=at(day, 10), ends_at=at(day, 11)
        )
    index = ProgrammeIndexFactory(parent=home_page)
    return {
        "tea": tea,
        "peach": peach,
        "room": room,
        "slots": {
            day: TourSlotFactory(experience=picking, starts_at=at(day, 14), capacity=80)
            for day in (DEC31, JAN1)
        },
        "windows": windows,
        "tea_programme": make_programme(index, "tea-hill", title="茶山研学", village=tea, duration_days=2),
        "farm_programme": make_programme(index, "farm-day", title="农场一日", village=peach, duration_days=1),
    }


def book(
    start, *, days=2, pupils=40, teachers=4, adults=0, programme=None, status=QuoteStatus.ACCEPTED, lines=()
):
    """An enquiry and its quote with ``lines``: (kind, day, target or description, quantity,
    unit fen[, nights])."""
    enquiry = GroupEnquiry.objects.create(
        organisation="青溪小学",
        kind="school",
        start_date=start,
        end_date=start + datetime.timedelta(days=days - 1),
        pupils=pupils,
        teachers=teachers,
        adults=adults,
        programme=programme,
        contact_name="王老师",
        contact_phone="+8613900000001",
    )
    quote = Quote.objects.create(enquiry=enquiry, valid_until=start, status=status)
    for n, (kind, day, target, quantity, unit, *nights) in enumerate(lines):
        target_field = {"stay": "room_type", "tour": "tour_slot", "entry": "entry_window"}.get(kind)
        QuoteLine.objects.create(
            quote=quote,
            kind=kind,
            day=day,
            quantity=quantity,
            unit_price_fen=unit,
            nights=nights[0] if nights else 1,
            sort_order=n,
            **({target_field: target} if target_field else {"description": target}),
        )
    return quote


def school_trip(town, start, *, pupils=40, programme="tea_programme", status=QuoteStatus.ACCEPTED):
    """Rooms for a night, the tea tour, the museum, two meals, a coach: every kind of line."""
    people = pupils + 4
    return book(
        start,
        pupils=pupils,
        programme=town[programme] if programme else None,
        status=status,
        lines=[
            ("stay", start, town["room"], 11, 24000, 1),
            ("tour", start, town["slots"][start], people, 9800),
            ("entry", start, town["windows"][start], people, 2000),
            ("meal", start, "午饭", people, 3500),
            ("meal", start, "晚饭", people, 4500),
            ("transport", start, "大巴", 1, 260000),
        ],
    )


# --- an independent reckoning -----------------------------------------------------------------


def expected_village(line):
    """The rule written out on the objects: the inventory's village, else the programme's."""
    if line.kind == QuoteLineKind.STAY:
        return line.room_type.page.village
    if line.kind == QuoteLineKind.TOUR:
        experience = line.tour_slot.experience
        return experience.village or experience.meeting_point.village
    if line.kind == QuoteLineKind.ENTRY:
        return line.entry_window.rule.spot.village
    programme = line.quote.enquiry.programme
    return programme.village if programme else None


def reckon(period):
    """By hand: {month: (groups, pupils, revenue)}, {village name: revenue}, {programme: revenue}."""
    months, villages, programmes = {}, {}, {}
    accepted = Quote.objects.filter(
        status=QuoteStatus.ACCEPTED,
        enquiry__start_date__gte=period.start,
        enquiry__start_date__lt=period.end,
    )
    seen = set()
    for quote in accepted:
        enquiry = quote.enquiry
        month = enquiry.start_date.replace(day=1)
        groups, pupils, revenue = months.get(month, (0, 0, 0))
        if enquiry.pk not in seen:
            groups, pupils = groups + 1, pupils + enquiry.pupils
            seen.add(enquiry.pk)
        amount = 0
        for line in quote.lines.all():
            fen = line.quantity * line.unit_price_fen * (line.nights if line.kind == "stay" else 1)
            amount += fen
            village = expected_village(line)
            name = village.name if village else "Not assigned"
            villages[name] = villages.get(name, 0) + fen
        months[month] = (groups, pupils, revenue + amount)
        title = enquiry.programme.title if enquiry.programme else "No programme"
        programmes[title] = programmes.get(title, 0) + amount
    return months, villages, programmes


@pytest.fixture
def booked(town):
    """Across the year's edge: two tea groups and a farm group, a company with no programme, and
    quotes that must not count (a draft, a sent one, and the sent first offer of a group that
    accepted the second)."""
    school_trip(town, DEC31, pupils=45)
    school_trip(town, JAN1, pupils=30)
    school_trip(town, JAN1, pupils=60, programme="farm_programme")
    book(
        DEC31,
        pupils=0,
        teachers=0,
        adults=20,
        lines=[("stay", DEC31, town["room"], 10, 30000, 2), ("meal", DEC31, "农家饭", 20, 5000)],
    )
    school_trip(town, DEC31, pupils=50, status=QuoteStatus.DRAFT)
    school_trip(town, JAN1, pupils=50, status=QuoteStatus.SENT)
    first = school_trip(town, JAN1, pupils=25, status=QuoteStatus.SENT)
    second = Quote.objects.create(enquiry=first.enquiry, valid_until=JAN1, status=QuoteStatus.ACCEPTED)
    QuoteLine.objects.create(
        quote=second, kind="meal", day=JAN1, description="午饭", quantity=29, unit_price_fen=3000
    )
    return town


EDGE_PERIOD = Period(datetime.date(2026, 12, 1), datetime.date(2027, 2, 1))


def test_groups_and_pupils_count_in_the_month_of_their_first_day(booked):
    rows = study_tours.study_tour_rows.uncached(EDGE_PERIOD, group="month")
    months, _villages, _programmes = reckon(EDGE_PERIOD)
    by_month = {row.month: row for row in rows if not row.is_total}
    assert list(by_month) == [datetime.date(2026, 12, 1), datetime.date(2027, 1, 1)]
    for month, (groups, pupils, revenue) in months.items():
        assert (by_month[month].groups, by_month[month].pupils, by_month[month].revenue_fen) == (
            groups,
            pupils,
            revenue,
        )
    # December: the 45 pupils and the company; January: 30 + 60 pupils and the group of 25.
    assert (by_month[datetime.date(2026, 12, 1)].groups, by_month[datetime.date(2026, 12, 1)].pupils) == (
        2,
        45,
    )
    assert (by_month[datetime.date(2027, 1, 1)].groups, by_month[datetime.date(2027, 1, 1)].pupils) == (
        3,
        115,
    )
    total = rows[-1]
    assert total.is_total
    assert total.groups == 5 and total.pupils == 160
    assert total.revenue_fen == sum(revenue for _g, _p, revenue in months.values())
    assert total.pupil_days == 45 * 2 + 30 * 2 + 60 * 2 + 25 * 2


def test_revenue_goes_to_each_lines_village(booked):
    rows = study_tours.study_tour_rows.uncached(EDGE_PERIOD, group="village")
    _months, villages, _programmes = reckon(EDGE_PERIOD)
    shown = {row.name: row.revenue_fen for row in rows if not row.is_total}
    assert shown == villages
    assert set(shown) == {"茶山村", "桃花坞", "Not assigned"}  # the company's meal has no village
    assert rows[-2].name == "Not assigned"  # listed last
    total = rows[-1]
    assert total.revenue_fen == sum(villages.values())
    # A group that spent in both villages is one group in the total.
    assert total.groups == 5
    assert sum(row.share for row in rows[:-1]) == pytest.approx(1)
    tea = next(row for row in rows if row.name == "茶山村")
    assert tea.rooms_fen == 11 * 24000 * 3 + 10 * 30000 * 2  # three school trips and the company
    assert tea.entries_fen == 0  # the museum is in Peach village


def test_which_programmes_sell(booked):
    rows = study_tours.study_tour_rows.uncached(EDGE_PERIOD, group="programme")
    _months, _villages, programmes = reckon(EDGE_PERIOD)
    assert {row.name: row.revenue_fen for row in rows if not row.is_total} == programmes
    named = [row for row in rows if not row.is_total and row.name != "No programme"]
    assert [row.revenue_fen for row in named] == sorted((row.revenue_fen for row in named), reverse=True)
    tea = next(row for row in rows if row.name == "茶山研学")
    assert (tea.groups, tea.pupils) == (3, 100)  # 45 and 30 pupils, and the second offer's 25
    assert tea.per_pupil_fen == tea.revenue_fen // 100
    # The total's per pupil leaves out the company, which brought no pupils.
    assert rows[-1].per_pupil_fen == (rows[-1].revenue_fen - programmes["No programme"]) // 160


def test_a_village_filter_keeps_the_groups_that_spent_there_and_only_that_money(booked):
    peach = booked["peach"].pk
    rows = study_tours.study_tour_rows.uncached(EDGE_PERIOD, village_id=peach, group="month")
    _months, villages, _programmes = reckon(EDGE_PERIOD)
    assert rows[-1].revenue_fen == villages["桃花坞"]
    assert rows[-1].groups == 3  # the school trips went to the museum; the company did not


# --- the admin page and its exports -----------------------------------------------------------


@pytest.fixture
def editor_client(client, now):
    # After the clock moved: a session started before would have expired by the pinned day.
    client.force_login(editor())
    return client


def test_the_default_period_is_this_calendar_year(editor_client, booked):
    response = editor_client.get(reverse("reports_study_tours"), {"export": "csv"})
    assert 'filename="study-tours-2027-01-01-2027-12-31.csv"' in response["Content-Disposition"]
    exported = read_csv(response)
    assert [line["Month"] for line in exported[:2]] == ["2027-01-01", "2027-02-01"]
    assert len(exported) == 13  # twelve months and the total
    assert int(exported[0]["Groups"]) == 3 and int(exported[-1]["Groups"]) == 3


@pytest.mark.parametrize("group", study_tours.GROUPINGS)
def test_exports_carry_the_figures(editor_client, booked, group):
    rows = study_tours.study_tour_rows.uncached(EDGE_PERIOD, group=group)
    url = reverse("reports_study_tours")
    exported = read_csv(editor_client.get(url, {**EDGE, "group": group, "export": "csv"}))
    sheet = read_xlsx(editor_client.get(url, {**EDGE, "group": group, "export": "xlsx"}))
    assert len(exported) == len(sheet) == len(rows)
    for line, cells, row in zip(exported, sheet, rows, strict=True):
        assert int(line["Groups"]) == cells["Groups"] == row.groups
        assert (
            Decimal(line["Revenue (yuan)"])
            == Decimal(str(cells["Revenue (yuan)"]))
            == Decimal(row.revenue_fen) / 100
        )


def test_the_page_shows_the_rows_and_the_total(editor_client, booked):
    response = editor_client.get(reverse("reports_study_tours"), {**EDGE, "group": "village"})
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("茶山村", "桃花坞", "Not assigned", "Total", "Download CSV"):
        assert text in content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period_from": "2027-02-01", "period_to": "2027-01-01"}, "The last day is before the first day."),
        ({"group": "teacher"}, "Select a valid choice."),
        ({"village": "nope"}, "Select a valid choice."),
    ],
)
def test_bad_filters_are_refused_with_the_message(editor_client, booked, params, message):
    url = reverse("reports_study_tours")
    for response in (editor_client.get(url, params), editor_client.get(url, {**params, "export": "csv"})):
        assert response.status_code == 400
        assert message in response.content.decode()


def test_hosts_and_visitors_get_no_figures(client, booked):
    host = VerifiedUserFactory()
    assign_role(host, HOSTS)
    for user in (host, VerifiedUserFactory()):
        client.force_login(user)
        response = client.get(reverse("reports_study_tours"), {**EDGE, "export": "csv"})
        assert response.status_code == 302
        assert not response.get("Content-Disposition")
    client.logout()
    assert client.get(reverse("reports_study_tours")).status_code == 302


def test_the_reports_menu_lists_it_for_the_office(client, now):
    client.force_login(editor())
    assert reverse("reports_study_tours").encode() in client.get(reverse("wagtailadmin_home")).content


# --- queries ----------------------------------------------------------------------------------


def more_trips(town, count):
    for n in range(count):
        school_trip(
            town,
            (DEC31, JAN1)[n % 2],
            pupils=20 + n,
            programme=("tea_programme", "farm_programme", None)[n % 3],
        )


@pytest.mark.parametrize("group", study_tours.GROUPINGS)
@pytest.mark.parametrize("export", [None, "csv"])
def test_the_query_count_is_the_same_for_2_and_50_quotes(
    editor_client, town, group, export, django_assert_num_queries
):
    url = reverse("reports_study_tours")
    params = {**EDGE, "group": group, **({"export": export} if export else {})}
    more_trips(town, 2)
    editor_client.get(url, params)  # sessions, locales, the user's permissions
    cache.clear()
    with django_assert_num_queries(QUERIES[export][group]):
        assert editor_client.get(url, params).status_code == 200
    more_trips(town, 48)
    cache.clear()
    with django_assert_num_queries(QUERIES[export][group]):
        response = editor_client.get(url, params)
    assert response.status_code == 200
    if export:
        assert len(read_csv(response)) > 1


# Sessions, the user and permissions, the admin's own; then the figures: groups, lines, and the
# village or programme names when grouped by them (a query more).
QUERIES = {
    None: {"month": 18, "village": 19, "programme": 19},
    "csv": {"month": 8, "village": 9, "programme": 9},
}
