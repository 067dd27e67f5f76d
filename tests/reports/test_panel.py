"""The admin home's "This month in figures" panel: chart geometry, who sees it, its query count."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.roles import EDITORS, HOSTS
from accounts.services import assign_role
from orders.models import OrderLine
from orders.money import format_fen
from reports import charts, figures, panels
from tests.factories.accounts import SuperuserFactory, UserFactory, VerifiedUserFactory
from tests.factories.orders import OrderFactory
from tests.factories.products import ProducerFactory, ProductFactory

pytestmark = pytest.mark.date_sensitive

PANEL_ID = 'id="town-figures-section"'


# --- chart geometry ---------------------------------------------------------------------------


def test_bar_heights_are_proportional_to_the_largest_value():
    assert charts.bar_heights([10, 5, 2.5], 80) == [80, 40, 20]


def test_none_and_negative_values_draw_no_bar():
    assert charts.bar_heights([None, -3, 6], 60) == [0, 0, 60]


@pytest.mark.parametrize("values", [[0, 0, 0], [None, None, None], [0, None, 0], []])
def test_all_zero_data_draws_flat_bars_without_dividing_by_zero(values):
    assert charts.bar_heights(values, 50) == [0] * len(values)
    chart = charts.bar_chart([(str(i), [value]) for i, value in enumerate(values)])
    assert chart.maximum == 0
    assert all(bar.height == 0 and bar.y == chart.baseline for bar in chart.bars)


def test_grouped_bars_stand_on_the_baseline_inside_the_chart():
    chart = charts.bar_chart(
        [("一月", [400, 100]), ("二月", [200, None]), ("三月", [0, 0])],
        width=300,
        height=100,
        top=10,
        label_height=20,
        format_value=lambda v: f"¥{v}",
        none_label="无",
    )
    assert chart.baseline == 80 and chart.maximum == 400
    assert [bar.height for bar in chart.bars] == [70, 17.5, 35, 0, 0, 0]
    for bar in chart.bars:
        assert bar.y + bar.height == pytest.approx(chart.baseline)
        assert bar.x >= 0 and bar.x + bar.width <= chart.width + 0.01
    # Side by side within a group, groups left to right, labels under the middle of each group.
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert [label.x for label in chart.labels] == [50, 150, 250]
    assert [label.text for label in chart.labels] == ["一月", "二月", "三月"]
    assert [bar.label for bar in chart.bars[:4]] == ["¥400", "¥100", "¥200", "无"]
    assert [(bar.group, bar.series) for bar in chart.bars[:3]] == [(0, 0), (0, 1), (1, 0)]


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(12345, "fen", "¥123.45"), (0.256, "percent", "25.6%"), (1234, "count", "1,234"), (None, "count", "—")],
)
def test_metric_values_as_text(value, unit, text):
    with translation.override("en"):
        assert panels.format_value(value, unit) == text


# --- the panel, with made-up figures ----------------------------------------------------------


def fake_dashboard():
    month = datetime.date(2026, 11, 1)
    return figures.Dashboard(
        month=month,
        metrics=[
            figures.Metric("nights_sold", "Nights sold", "count", 12, 30, None),
            figures.Metric("produce_fen", "Produce sales", "fen", 0, 0, 0),
            figures.Metric("occupancy", "Homestay occupancy", "percent", 0.5, 0.25, 0.125),
        ],
        revenue_by_month=[
            figures.MonthFigure(datetime.date(2025 + (11 + i) // 12, (11 + i) % 12 + 1, 1), 1000 * i, 100 * i)
            for i in range(12)
        ],
    )


def test_the_panel_draws_each_metric_as_numbers_and_an_accessible_svg(monkeypatch):
    monkeypatch.setattr(figures, "dashboard", fake_dashboard)
    with translation.override("en"):
        html = panels.TownFiguresPanel().render_html({})
    assert html.count('<svg class="town-chart"') == 4  # three metrics and the 12 months
    assert 'role="img" aria-labelledby="town-figures-nights_sold-title"' in html
    assert '<title id="town-figures-nights_sold-title">Nights sold: this month 12, last month 30, ' in html
    assert "same month last year no figure</title>" in html
    assert "50.0%" in html and "12.5%" in html and "¥0.00" in html
    assert "¥110.00" in html  # the largest month, at the top of the revenue chart
    for name in ("reports_homestays", "reports_tours_events", "reports_shop", "reports_prosperity"):
        assert f'href="{reverse(name)}"' in html


# --- on the admin home, with real orders -------------------------------------------------------


def sell_produce(producer, quantity=2, price_fen=6800):
    """A paid order of the producer's eggs, today (produce counts on the day it was ordered)."""
    product = ProductFactory(producer=producer, price_fen=price_fen)
    order = OrderFactory(status="paid", total_fen=quantity * price_fen)
    OrderLine.objects.create(
        order=order,
        kind="product",
        object_id=product.pk,
        title=product.name,
        item_name=producer.display_name,
        quantity=quantity,
        unit_price_fen=price_fen,
        total_fen=quantity * price_fen,
        provider_user=producer.user,
        village=producer.village,
    )
    return order


@pytest.fixture
def producer(db):
    return ProducerFactory()


def user_in(role, email):
    user = VerifiedUserFactory(email=email)
    assign_role(user, role)
    return user


def produce_sales_text():
    metric = next(m for m in figures.dashboard().metrics if m.key == "produce_fen")
    return format_fen(metric.this_month)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["editor", "superuser"])
def test_the_panel_shows_on_the_admin_home_for_the_tourism_office(client, producer, who):
    sell_produce(producer, quantity=3)  # ¥204
    user = user_in(EDITORS, "office@example.com") if who == "editor" else SuperuserFactory()
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert PANEL_ID in html
    panel = html[html.index(PANEL_ID) :]
    assert '<svg class="town-chart"' in panel and 'role="img"' in panel
    assert produce_sales_text() == "¥204.00"
    assert "¥204.00" in panel


@pytest.mark.django_db
def test_the_panel_is_not_shown_to_a_host(client, producer):
    sell_produce(producer)
    host = user_in(HOSTS, "host@example.com")
    client.force_login(host)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200  # hosts reach the admin for their homestays
    assert PANEL_ID not in response.content.decode()
    assert "¥136.00" not in response.content.decode()


@pytest.mark.django_db
def test_a_user_without_the_permission_gets_no_panel_from_the_hook(rf):
    request = rf.get("/admin/")
    request.user = UserFactory()
    found = []
    panels.add_town_figures_panel(request, found)
    assert found == []
    request.user = SuperuserFactory()
    panels.add_town_figures_panel(request, found)
    assert [type(panel) for panel in found] == [panels.TownFiguresPanel]


def admin_home_queries(client):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200 and PANEL_ID in response.content.decode()
    return len(queries)


@pytest.mark.django_db
def test_the_admin_home_runs_as_many_queries_with_five_orders_as_with_one(client, producer):
    client.force_login(user_in(EDITORS, "office@example.com"))
    sell_produce(producer)
    with_one = admin_home_queries(client)
    for _ in range(4):
        sell_produce(ProducerFactory())
    assert admin_home_queries(client) == with_one


@pytest.mark.django_db
def test_the_panel_queries_nothing_once_the_figures_are_cached(producer, django_assert_num_queries):
    sell_produce(producer)
    figures.dashboard()
    with django_assert_num_queries(0):
        html = panels.TownFiguresPanel().render_html({})
    assert '<svg class="town-chart"' in html
