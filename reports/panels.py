"""The admin home's "This month in figures" panel, for the tourism office.

Each dashboard metric as numbers (this month, last month, same month last year) and a small bar
chart drawn on the server as inline SVG (geometry in ``reports.charts``; no JavaScript), then the
last 12 months' revenue, and links to the four reports. Shown to users with the
``reports.view_townreport`` permission only. The figures come from ``figures.dashboard()``, which
is cached: the panel runs no query of its own.

``reports.wagtail_hooks`` imports this module, which registers the hook.
"""

from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.components import Component

from orders.money import format_fen

from . import charts, figures

PERMISSION = "reports.view_townreport"

# (URL name, link text) of the reports the panel leads to.
REPORT_LINKS = [
    ("reports_homestays", gettext_lazy("Homestays")),
    ("reports_tours_events", gettext_lazy("Tours and events")),
    ("reports_shop", gettext_lazy("Shop")),
    ("reports_prosperity", gettext_lazy("Common prosperity")),
]


def format_value(value, unit):
    """A metric value as text: money in yuan, percents from 0..1 floats, counts grouped."""
    if value is None:
        return "—"
    if unit == "fen":
        return format_fen(value)
    if unit == "percent":
        return f"{number_format(value * 100, 1)}%"
    return number_format(value, force_grouping=True)


def compared_months(month):
    """This month, last month and the same month last year (first days)."""
    return [month, figures.add_months(month, -1), figures.add_months(month, -12)]


def metric_context(metric, month):
    periods = [_("This month"), _("Last month"), _("Same month last year")]
    values = [metric.this_month, metric.last_month, metric.same_month_last_year]
    texts = [format_value(value, metric.unit) for value in values]
    # Under the bars the months themselves: short, and the numbers above name the periods.
    chart = charts.bar_chart(
        [
            (date_format(m, "YEAR_MONTH_FORMAT"), [value])
            for m, value in zip(compared_months(month), values, strict=True)
        ],
        width=240,
        height=90,
        format_value=lambda value: format_value(value, metric.unit),
        none_label=_("no figure"),
    )
    title = _("%(metric)s: this month %(this)s, last month %(last)s, same month last year %(year)s") % {
        "metric": metric.label,
        "this": chart.bars[0].label,
        "last": chart.bars[1].label,
        "year": chart.bars[2].label,
    }
    return {
        "key": metric.key,
        "label": metric.label,
        "values": list(zip(periods, texts, strict=True)),
        "chart": chart,
        "title": title,
    }


def revenue_context(months):
    """The 12-month chart: each month's total and, beside it, the part reaching supported households."""
    if not months:
        return None
    chart = charts.bar_chart(
        [(date_format(month.month, "M"), [month.total_fen, month.supported_fen]) for month in months],
        width=720,
        height=170,
        top=16,
        gap=0.2,
        format_value=format_fen,
    )
    title = _(
        "Revenue reaching villages by month, and the part reaching supported households: %(months)s"
    ) % {
        "months": "; ".join(
            _("%(month)s %(total)s (supported households %(supported)s)")
            % {
                "month": date_format(month.month, "YEAR_MONTH_FORMAT"),
                "total": format_fen(month.total_fen),
                "supported": format_fen(month.supported_fen),
            }
            for month in months
        )
    }
    return {"chart": chart, "title": title, "maximum": format_fen(int(chart.maximum))}


class TownFiguresPanel(Component):
    name = "town_figures"
    template_name = "reports/dashboard_panel.html"
    order = 50  # above Wagtail's own panels (moderation 210, recent edits 250, locks 300)

    def get_context_data(self, parent_context=None):
        board = figures.dashboard()
        return {
            "month": board.month,
            "metrics": [metric_context(metric, board.month) for metric in board.metrics],
            "revenue": revenue_context(board.revenue_by_month),
            "links": [(reverse(name), text) for name, text in REPORT_LINKS],
        }


@hooks.register("construct_homepage_panels")
def add_town_figures_panel(request, panels):
    if request.user.has_perm(PERMISSION):
        panels.append(TownFiguresPanel())
