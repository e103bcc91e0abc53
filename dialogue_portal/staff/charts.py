"""Bar charts as plain numbers for an SVG template: the server draws them, so the page
needs no JavaScript and no inline style (only SVG attributes and classes)."""

from dataclasses import dataclass

from django.utils.formats import date_format, number_format

WIDTH = 720
HEIGHT = 180
LEFT = 56  # room for the value labels
BOTTOM = 24  # room for the day labels
TOP = 8
PLOT_WIDTH = WIDTH - LEFT - 8
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # what a pointer hovering the bar reads (its <title>)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    bars: list
    y_ticks: list
    x_ticks: list
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - 8
    baseline: int = TOP + PLOT_HEIGHT


def nice_ceiling(value):
    """The smallest of 1, 2, 5 × 10ⁿ at or above ``value`` (at least 1): the axis top."""
    step = 1
    while True:
        for multiple in (1, 2, 5):
            if step * multiple >= value:
                return step * multiple
        step *= 10


def daily_chart(days, metric):
    """Vertical bars, one per day, of ``metric`` over ``days`` (figures.Row)."""
    values = [getattr(day, metric) for day in days]
    top = nice_ceiling(max(values, default=0))
    slot = PLOT_WIDTH / max(len(days), 1)
    gap = slot * 0.2 if slot >= 4 else 0
    bars = []
    for index, (day, value) in enumerate(zip(days, values, strict=True)):
        height = PLOT_HEIGHT * value / top
        bars.append(
            Bar(
                x=round(LEFT + index * slot + gap / 2, 2),
                y=round(TOP + PLOT_HEIGHT - height, 2),
                width=round(max(slot - gap, 0.5), 2),
                height=round(height, 2),
                label=f"{date_format(day.day, 'SHORT_DATE_FORMAT')}: {number_format(value)}",
            )
        )
    y_ticks = [
        Tick(
            position=round(TOP + PLOT_HEIGHT * (1 - share), 2),
            label=number_format(int(top * share)),
        )
        for share in (0, 0.5, 1)
        if share == 0 or top * share == int(top * share)
    ]
    picks = sorted({0, len(days) // 2, len(days) - 1}) if days else []
    x_ticks = [
        Tick(
            position=round(LEFT + (index + 0.5) * slot, 2),
            label=date_format(days[index].day, "j M"),
        )
        for index in picks
    ]
    return Chart(bars=bars, y_ticks=y_ticks, x_ticks=x_ticks)


BAR_ROW = 26
LABEL_WIDTH = 300


@dataclass(frozen=True)
class HorizontalBar:
    y: float
    width: float
    text_y: float
    label: str
    value: str


@dataclass(frozen=True)
class Ranking:
    bars: list
    width: int = WIDTH
    height: int = 0
    left: int = LABEL_WIDTH
    bar_height: int = BAR_ROW - 8


def ranking_chart(rows, metric):
    """Horizontal bars for the top publications: title on the left, bar and value right."""
    values = [getattr(row, metric) for row in rows]
    top = max(values, default=0) or 1
    room = WIDTH - LABEL_WIDTH - 72
    bars = []
    for index, (row, value) in enumerate(zip(rows, values, strict=True)):
        title = row.publication.title if row.publication else "—"
        bars.append(
            HorizontalBar(
                y=index * BAR_ROW + 4,
                width=round(max(room * value / top, 1), 2),
                text_y=index * BAR_ROW + 17,
                label=title if len(title) <= 44 else title[:43] + "…",
                value=number_format(value),
            )
        )
    return Ranking(bars=bars, height=len(bars) * BAR_ROW + 4)
