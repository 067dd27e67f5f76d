"""Bar charts drawn on the server as inline SVG: the geometry here, the markup in a template.

Pure functions (no database, no request): ``bar_chart`` turns groups of values into bars with
x/y/width/height in the chart's viewBox units, and labels under the groups. Heights are
proportional to the largest value of the chart; ``None`` (no figure) and negative values draw no
bar, and a chart whose values are all zero draws no bars instead of dividing by zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Value = float | int | None


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: Value
    label: str  # the value as text (its <title>), or the "no figure" text
    group: int  # index of its group (the metric chart colours by group)
    series: int  # index within the group (the revenue chart colours by series)


@dataclass(frozen=True)
class Label:
    x: float  # centre of the group (text-anchor: middle)
    y: float
    text: str


@dataclass
class Chart:
    width: float  # of the viewBox
    height: float
    top: float  # y of the largest value
    baseline: float  # y of zero
    maximum: float  # the value at ``top``; 0 when nothing to draw
    bars: list[Bar] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)


def _round(number: float) -> float:
    return round(number, 2)


def bar_heights(values: Sequence[Value], max_height: float) -> list[float]:
    """Each value's height, in proportion to the largest; 0 for None, negatives and all-zero data."""
    drawn = [value if value is not None and value > 0 else 0 for value in values]
    largest = max(drawn, default=0)
    if not largest:
        return [0.0 for _ in drawn]
    return [_round(max_height * value / largest) for value in drawn]


def bar_chart(
    groups: Sequence[tuple[str, Sequence[Value]]],
    *,
    width: float = 240,
    height: float = 100,
    top: float = 6,
    label_height: float = 16,
    gap: float = 0.25,
    format_value: Callable[[Value], str] = str,
    none_label: str = "—",
) -> Chart:
    """Groups of side-by-side bars, scaled to the largest value of the whole chart.

    ``groups`` are ``(label, values)``; every group should have the same number of values (the
    series). ``gap`` is the share of each group's slot left empty around its bars.
    """
    baseline = height - label_height
    plot_height = baseline - top
    values = [value for _label, group_values in groups for value in group_values]
    heights = iter(bar_heights(values, plot_height))
    chart = Chart(
        width=width,
        height=height,
        top=top,
        baseline=baseline,
        maximum=max((value for value in values if value is not None and value > 0), default=0),
    )
    if not groups:
        return chart
    slot = width / len(groups)
    for group, (text, group_values) in enumerate(groups):
        bar_width = slot * (1 - gap) / max(len(group_values), 1)
        left = slot * group + slot * gap / 2
        for series, value in enumerate(group_values):
            bar_height = next(heights)
            chart.bars.append(
                Bar(
                    x=_round(left + series * bar_width),
                    y=_round(baseline - bar_height),
                    width=_round(bar_width),
                    height=bar_height,
                    value=value,
                    label=none_label if value is None else format_value(value),
                    group=group,
                    series=series,
                )
            )
        chart.labels.append(Label(x=_round(slot * group + slot / 2), y=_round(height - 4), text=text))
    return chart
