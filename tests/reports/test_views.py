"""The town reports in the admin: who may read them, their filters and their exports."""

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.users.models import UserProfile

from accounts.roles import EDITORS, HOSTS
from accounts.services import assign_role
from orders.models import OrderLine
from orders.reservations import local_today
from reports import figures
from reports.filters import month_end
from tests.factories.accounts import SuperuserFactory, UserFactory, VerifiedUserFactory
from tests.factories.attractions import (
    AttractionIndexPageFactory,
    AttractionPageFactory,
    ExperiencePageFactory,
    TourSlotFactory,
)
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory, RoomTypeFactory
from tests.factories.orders import OrderFactory
from tests.factories.products import ProducerFactory, ProductFactory
from tests.factories.town import VillageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]

TOWN = ZoneInfo("Asia/Shanghai")
REPORTS = ["reports_homestays", "reports_tours_events", "reports_shop", "reports_prosperity"]


# --- the town in miniature --------------------------------------------------------------------


def this_month():
    today = local_today()
    return today.replace(day=1), month_end(today)


@pytest.fixture
def town(home_page):
    """Two villages; in the first a homestay (2 rooms), a picking tour and a farmer's eggs."""
    village = VillageFactory(name="桃花坞")
    other = VillageFactory(name="杏花村")
    homestay = HomestayPageFactory(
        parent=HomestayIndexPageFactory(parent=home_page, slug="homestays"), title="溪边民宿", village=village
    )
    RoomTypeFactory(page=homestay, units=2, base_price_fen=30000)
    attractions = AttractionIndexPageFactory(parent=home_page)
    meeting_point = AttractionPageFactory(parent=attractions, title="草莓园", village=village)
    picking = ExperiencePageFactory(
        parent=attractions, title="草莓采摘", meeting_point=meeting_point, schedules=[]
    )
    first, _last = this_month()
    slot = TourSlotFactory(
        experience=picking, starts_at=datetime.datetime.combine(first, datetime.time(9), tzinfo=TOWN)
    )
    product = ProductFactory(producer=ProducerFactory(village=village, display_name="王大姐"), price_fen=6800)
    return {"village": village, "other": other, "homestay": homestay, "slot": slot, "product": product}


def sell(town, status="paid"):
    """One order of a two-night stay (¥600), two tour seats (¥160) and two boxes of eggs (¥136),
    all this month in the first village."""
    first, _last = this_month()
    order = OrderFactory(status=status, total_fen=60000 + 16000 + 13600)
    village = town["village"]
    OrderLine.objects.create(
        order=order,
        kind="stay",
        object_id=town["homestay"].pk,
        page_id_snapshot=town["homestay"].pk,
        title=town["homestay"].title,
        start_date=first,
        end_date=first + datetime.timedelta(days=2),
        nights=2,
        guests=2,
        quantity=1,
        unit_price_fen=30000,
        total_fen=60000,
        village=village,
        provider_user=town["homestay"].host,
    )
    OrderLine.objects.create(
        order=order,
        kind="tour",
        object_id=town["slot"].pk,
        page_id_snapshot=town["slot"].experience_id,
        title="草莓采摘",
        quantity=2,
        guests=2,
        unit_price_fen=8000,
        total_fen=16000,
        options={"adults": 2, "children": 0},
        starts_at=town["slot"].starts_at,
        village=village,
    )
    product = town["product"]
    OrderLine.objects.create(
        order=order,
        kind="product",
        object_id=product.pk,
        title=product.name,
        item_name=product.producer.display_name,
        quantity=2,
        unit_price_fen=6800,
        total_fen=13600,
        options={"delivery": "pickup"},
        provider_user=product.producer.user,
        village=village,
    )
    return order


def in_english(user):
    """The admin speaks the user's preferred language: English, so texts compare as written."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def editor():
    user = UserFactory(email="office@example.com")
    assign_role(user, EDITORS)
    return in_english(user)


@pytest.fixture
def editor_client(client):
    client.force_login(editor())
    return client


def month_params(**extra):
    first, last = this_month()
    return {"period_from": first.isoformat(), "period_to": last.isoformat(), **extra}


def month_period():
    first, last = this_month()
    return figures.Period(first, last + datetime.timedelta(days=1))


def read_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def read_xlsx(response):
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def yuan(fen):
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def pct(rate):
    return None if rate is None else round(Decimal(rate * 100), 1)


# --- who may read the reports -----------------------------------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_an_editor_and_a_superuser_open_each_report(client, town, name):
    sell(town)
    for user in (editor(), in_english(SuperuserFactory())):
        client.force_login(user)
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert b"Download CSV" in response.content
        partial = client.get(reverse(f"{name}_results"))
        assert partial.status_code == 200


def test_the_homestay_report_shows_the_homestay_and_its_revenue(editor_client, town):
    sell(town)
    response = editor_client.get(reverse("reports_homestays"), month_params())
    assert response.status_code == 200
    content = response.content.decode()
    assert "溪边民宿" in content
    total = figures.homestay_rows(month_period())[-1]
    assert total.is_total and total.revenue_fen > 0
    from orders.money import format_fen

    assert format_fen(total.revenue_fen) in content


def test_the_reports_menu_lists_the_reports_for_editors_only(client, town):
    client.force_login(editor())
    assert reverse("reports_prosperity").encode() in client.get(reverse("wagtailadmin_home")).content
    host = VerifiedUserFactory()
    assign_role(host, HOSTS)
    client.force_login(host)
    home = client.get(reverse("wagtailadmin_home"))  # hosts reach the admin for their homestays
    assert home.status_code == 200
    assert reverse("reports_prosperity").encode() not in home.content


def test_anonymous_visitors_are_sent_to_the_admin_login(client, town):
    sell(town)
    for name in REPORTS:
        response = client.get(reverse(name), {"export": "csv"})
        assert response.status_code == 302
        assert response.url.startswith(f"{reverse('account_login')}?next=")


@pytest.mark.parametrize("role", ["visitor", "host", "farmer", "moderator"])
def test_users_without_the_permission_get_no_figures(client, town, role, request):
    sell(town)
    if role == "visitor":
        user = VerifiedUserFactory()
    elif role == "host":
        user = VerifiedUserFactory()
        assign_role(user, HOSTS)
    else:
        user = request.getfixturevalue(role)
        user = getattr(user, "user", user)  # the farmer fixture is a Producer
    assert not user.has_perm("reports.view_townreport")
    client.force_login(user)
    for name in REPORTS:
        for params in ({}, {"export": "csv"}, {"export": "xlsx"}):
            response = client.get(reverse(name), params)
            assert response.status_code == 302  # to the login, or to the admin home with a message
            assert not response.get("Content-Disposition")
            assert "溪边民宿".encode() not in response.content
        assert client.get(reverse(f"{name}_results")).status_code in (302, 403)


# --- exports ----------------------------------------------------------------------------------


def test_homestay_exports_carry_the_figures(editor_client, town):
    sell(town)
    sell(town, status="confirmed")
    rows = figures.homestay_rows(month_period())
    assert rows[-1].nights_sold > 0
    url = reverse("reports_homestays")
    response = editor_client.get(url, month_params(export="csv"))
    assert response.status_code == 200
    first, last = this_month()
    assert (
        f'filename="homestays-{first.isoformat()}-{last.isoformat()}.csv"' in response["Content-Disposition"]
    )
    exported = read_csv(response)
    assert [line["Homestay"] for line in exported] == [row.name for row in rows]
    for line, row in zip(exported, rows, strict=True):
        assert int(line["Nights sold"]) == row.nights_sold
        assert int(line["Room-nights available"]) == row.room_nights_available
        assert Decimal(line["Revenue (yuan)"]) == yuan(row.revenue_fen)
        assert (Decimal(line["Occupancy (%)"]) if line["Occupancy (%)"] else None) == pct(row.occupancy)
        assert int(line["Cancellations"]) == row.cancellations

    sheet = read_xlsx(editor_client.get(url, month_params(export="xlsx")))
    for line, row in zip(sheet, rows, strict=True):
        assert line["Homestay"] == row.name
        assert line["Nights sold"] == row.nights_sold
        assert Decimal(str(line["Revenue (yuan)"])) == yuan(row.revenue_fen)
        assert (None if line["Occupancy (%)"] is None else Decimal(str(line["Occupancy (%)"]))) == pct(
            row.occupancy
        )


def test_tour_exports_carry_the_figures(editor_client, town):
    sell(town)
    rows = figures.tour_event_rows(month_period(), group="experience")
    assert rows[-1].sold > 0
    url = reverse("reports_tours_events")
    exported = read_csv(editor_client.get(url, month_params(group="experience", export="csv")))
    sheet = read_xlsx(editor_client.get(url, month_params(group="experience", export="xlsx")))
    assert len(exported) == len(sheet) == len(rows)
    for line, cells, row in zip(exported, sheet, rows, strict=True):
        assert line["Name"] == cells["Name"] == row.name
        assert int(line["Sold"]) == cells["Sold"] == row.sold
        assert int(line["Capacity"]) == cells["Capacity"] == row.capacity
        assert (
            Decimal(line["Revenue (yuan)"]) == Decimal(str(cells["Revenue (yuan)"])) == yuan(row.revenue_fen)
        )


def test_shop_exports_carry_the_figures(editor_client, town):
    sell(town)
    rows = figures.shop_rows(month_period(), group="producer")
    assert rows[-1].units > 0
    url = reverse("reports_shop")
    exported = read_csv(editor_client.get(url, month_params(export="csv")))
    sheet = read_xlsx(editor_client.get(url, month_params(export="xlsx")))
    for line, cells, row in zip(exported, sheet, rows, strict=True):
        assert line["Producer"] == cells["Producer"] == row.name
        assert int(line["Units"]) == cells["Units"] == row.units
        assert int(line["Orders"]) == cells["Orders"] == row.orders
        assert (
            Decimal(line["Revenue (yuan)"]) == Decimal(str(cells["Revenue (yuan)"])) == yuan(row.revenue_fen)
        )


def test_prosperity_exports_carry_the_figures_month_by_month(editor_client, town):
    sell(town)
    today = local_today()
    first_day = figures.add_months(figures.month_start(today), -12)
    period = figures.Period(first_day, month_end(today) + datetime.timedelta(days=1))
    rows = figures.prosperity_rows(period)
    assert rows and rows[-1].total_fen > 0
    response = editor_client.get(reverse("reports_prosperity"), {"export": "csv"})  # the default range
    first = first_day.isoformat()
    assert f"prosperity-{first}-{month_end(today).isoformat()}.csv" in response["Content-Disposition"]
    exported = read_csv(response)
    sheet = read_xlsx(editor_client.get(reverse("reports_prosperity"), {"export": "xlsx"}))
    for line, cells, row in zip(exported, sheet, rows, strict=True):
        assert line["Month"] == row.month.isoformat()
        assert line["Village"] == cells["Village"] == row.village
        for label, fen in (("Total (yuan)", row.total_fen), ("Stays (yuan)", row.stays_fen)):
            assert Decimal(line[label]) == Decimal(str(cells[label])) == yuan(fen)
        assert (Decimal(line["Supported share (%)"]) if line["Supported share (%)"] else None) == pct(
            row.supported_share
        )


# --- filters ----------------------------------------------------------------------------------


def test_the_default_range_is_this_month(editor_client, town):
    response = editor_client.get(reverse("reports_shop"), {"export": "csv"})
    first, last = this_month()
    assert f"shop-{first.isoformat()}-{last.isoformat()}.csv" in response["Content-Disposition"]


def test_a_village_filter_narrows_the_rows(editor_client, town):
    sell(town)
    url = reverse("reports_homestays")
    everywhere = read_csv(editor_client.get(url, month_params(export="csv")))
    assert "溪边民宿" in [line["Homestay"] for line in everywhere]
    elsewhere = read_csv(editor_client.get(url, month_params(village=town["other"].pk, export="csv")))
    assert "溪边民宿" not in [line["Homestay"] for line in elsewhere]
    here = read_csv(editor_client.get(url, month_params(village=town["village"].pk, export="csv")))
    assert "溪边民宿" in [line["Homestay"] for line in here]


def test_grouping_by_village_gives_village_rows(editor_client, town):
    sell(town)
    exported = read_csv(
        editor_client.get(reverse("reports_homestays"), month_params(group="village", export="csv"))
    )
    assert "桃花坞" in [line["Village"] for line in exported]
    assert "Homestay" not in exported[0]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period_from": "2026-13-45"}, "Enter a valid date."),
        ({"period_from": "2026-11-30", "period_to": "2026-11-01"}, "The last day is before the first day."),
        ({"period_from": "2020-01-01", "period_to": "2026-01-01"}, "Choose at most 1100 days"),
        ({"period_from": "9999-12-01", "period_to": "9999-12-31"}, "Choose dates between 2000 and 2099."),
        ({"village": "999999"}, "Select a valid choice."),
        ({"village": "abc"}, "Select a valid choice."),
        ({"group": "household"}, "Select a valid choice."),
    ],
)
def test_bad_filters_give_400_with_the_message(editor_client, town, params, message):
    for name in ("reports_homestays", "reports_shop"):
        response = editor_client.get(reverse(name), params)
        assert response.status_code == 400
        assert message in response.content.decode()
        partial = editor_client.get(reverse(f"{name}_results"), params)
        assert partial.status_code == 400
        assert message in partial.content.decode()
        export = editor_client.get(reverse(name), {**params, "export": "csv"})
        assert export.status_code == 400
        assert message in export.content.decode()


def test_three_years_less_a_few_days_are_allowed(editor_client, town):
    response = editor_client.get(
        reverse("reports_prosperity"), {"period_from": "2024-01-01", "period_to": "2026-12-31"}
    )
    assert response.status_code == 200


# --- queries ----------------------------------------------------------------------------------


def count_queries(client, url, params):
    cache.clear()  # the figures are cached: count the work, not the cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize("export", [None, "csv"])
def test_the_query_count_does_not_grow_with_the_orders(editor_client, town, name, export):
    params = month_params(**({"export": export} if export else {}))
    url = reverse(name)
    sell(town)
    count_queries(editor_client, url, params)  # first request: sessions, locales and the like
    with_one = count_queries(editor_client, url, params)
    for _i in range(5):
        sell(town)
    with_six = count_queries(editor_client, url, params)
    assert with_six == with_one
