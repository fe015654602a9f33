"""The report's charts, drawn with fpdf2's own lines and rectangles (no plotting
library: matplotlib would bring numpy's weight and a font cache for a few bars).

Each chart is made from its table as published, like the page's Chart.js charts
(``static/js/observatory.js``): one series per additive column, one bar group or line
point per row, a withheld cell ("x") is a gap. The table printed under it is its text
alternative.
"""

from __future__ import annotations

from typing import Any

from webapp.observatory.tables import Table, Value

# The page's palette (observatory.js), as RGB.
COLOURS = [(11, 83, 148), (180, 95, 6), (30, 107, 46), (106, 27, 154), (176, 0, 32), (74, 74, 74)]
HEIGHT = 62  # mm: plot, labels under it and the key
AXIS = 12  # mm left of the plot for the scale
MAX_LABELS = 14  # more rows than this and only every n-th row is labelled


def _top(values: list[list[Value]]) -> float:
    numbers = [float(v) for series in values for v in series if v is not None]
    top = max(numbers, default=0.0)
    return top if top > 0 else 1.0


def _nice(top: float) -> float:
    """The scale's top: 1, 2 or 5 times a power of ten, at least ``top``."""
    step = 1.0
    while step * 10 < top:
        step *= 10
    while step > top * 10:
        step /= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= top:
            return step * factor
    return step * 10


def draw_chart(pdf: Any, table: Table, kind: str, width: float = 170) -> bool:
    """Draw ``table`` as a bar or line chart at the current position; False (nothing
    drawn) when it has no additive column or no row."""
    series = [c for c in table.columns if c.additive]
    rows = table.rows
    if not series or not rows:
        return False
    values = [[row.shown(c.key) for row in rows] for c in series]
    if pdf.get_y() + HEIGHT > pdf.page_break_trigger:
        pdf.add_page()
    top = _nice(_top(values))
    x0, y0 = pdf.l_margin + AXIS, pdf.get_y() + 2
    plot_w, plot_h = width - AXIS, HEIGHT - 24
    base = y0 + plot_h
    slot = plot_w / len(rows)
    pdf.set_font(pdf.family, "", 6)
    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.1)
    for frac in (0, 0.5, 1):  # the scale: 0, half and the top
        y = base - frac * plot_h
        pdf.line(x0, y, x0 + plot_w, y)
        pdf.set_xy(pdf.l_margin, y - 1.5)
        pdf.cell(AXIS - 1, 3, f"{top * frac:g}", align="R")
    for i in range(len(series)):
        r, g, b = COLOURS[i % len(COLOURS)]
        pdf.set_fill_color(r, g, b)
        pdf.set_draw_color(r, g, b)
        if kind == "line":
            _line(pdf, values[i], x0, base, slot, plot_h, top)
        else:
            _bars(pdf, values[i], i, len(series), x0, base, slot, plot_h, top)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    pdf.line(x0, base, x0 + plot_w, base)
    every = max(1, -(-len(rows) // MAX_LABELS))
    for n, row in enumerate(rows):
        if n % every:
            continue
        pdf.set_xy(x0 + n * slot, base + 1)
        pdf.cell(max(slot * every, 8), 3, pdf.safe(row.label[:14]), align="L")
    _key(pdf, [str(c.label()) for c in series], base + 6, width)
    pdf.set_y(y0 + HEIGHT - 2)
    pdf.set_x(pdf.l_margin)
    return True


def _bars(
    pdf: Any,
    values: list[Value],
    index: int,
    count: int,
    x0: float,
    base: float,
    slot: float,
    plot_h: float,
    top: float,
) -> None:
    group = slot * 0.8
    bar = group / count
    for n, value in enumerate(values):
        if not value:  # a gap: withheld, nothing, or zero
            continue
        h = plot_h * float(value) / top
        pdf.rect(x0 + n * slot + slot * 0.1 + index * bar, base - h, bar, h, style="F")


def _line(
    pdf: Any, values: list[Value], x0: float, base: float, slot: float, plot_h: float, top: float
) -> None:
    pdf.set_line_width(0.5)
    last: tuple[float, float] | None = None
    for n, value in enumerate(values):
        if value is None:
            last = None  # a withheld cell breaks the line
            continue
        point = (x0 + (n + 0.5) * slot, base - plot_h * float(value) / top)
        if last is not None:
            pdf.line(*last, *point)
        pdf.circle(x=point[0], y=point[1], radius=0.7, style="F")
        last = point


def _key(pdf: Any, labels: list[str], y: float, width: float) -> None:
    """Coloured squares and the column names, wrapping to a second line if needed."""
    x = pdf.l_margin + AXIS
    for i, label in enumerate(labels):
        text = pdf.safe(label)
        w = pdf.get_string_width(text) + 6
        if x + w > pdf.l_margin + width:
            x, y = pdf.l_margin + AXIS, y + 4
        r, g, b = COLOURS[i % len(COLOURS)]
        pdf.set_fill_color(r, g, b)
        pdf.rect(x, y + 0.5, 2.5, 2.5, style="F")
        pdf.set_xy(x + 3, y)
        pdf.cell(w - 3, 3.5, text)
        x += w + 2
