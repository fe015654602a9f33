"""The printable report (PDF), made on the server by fpdf2 (pure Python: no Cairo or
Pango, unlike WeasyPrint): the organisation's name and logo, the period, one paragraph
per section, and each table as published (suppressed cells "x") under its chart
(``pdfcharts.py``, drawn from the same published cells).

The text is set in DejaVu Sans when the system has it (every accented letter and
dash), else in the PDF's built-in Helvetica with the text reduced to Latin-1.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF

from webapp.observatory.exports import heading, legend, period_text, text_rows
from webapp.observatory.indicators import Section
from webapp.observatory.pdfcharts import draw_chart
from webapp.observatory.scope import Scope

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
LOGO_BOX = (40.0, 18.0)  # mm, the most the logo takes at the top right


class _Report(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        self.unicode = regular.is_file() and bold.is_file()
        if self.unicode:
            self.add_font("dejavu", "", str(regular))
            self.add_font("dejavu", "B", str(bold))
        self.family = "dejavu" if self.unicode else "helvetica"
        self.set_auto_page_break(auto=True, margin=15)

    def safe(self, text: str) -> str:
        if self.unicode:
            return text
        return text.replace("–", "-").encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.cell(0, 6, self.safe(_("Page %(n)s", n=self.page_no())), align="C")


def _logo(pdf: _Report, logo: bytes | None) -> float:
    """Place the logo at the top right; the width the title must leave free."""
    if not logo:
        return 0
    box_w, box_h = LOGO_BOX
    x = pdf.w - pdf.r_margin - box_w
    pdf.image(io.BytesIO(logo), x=x, y=pdf.t_margin, w=box_w, h=box_h, keep_aspect_ratio=True)
    return box_w + 4


def _stale(when: str | None) -> str:
    return _(
        "Figures of past months as of %(when)s (recomputed every night); the current month "
        "is live.",
        when=when,
    )


def build_pdf(
    org_name: str,
    scope: Scope,
    sections: list[Section],
    made_on: date,
    logo: bytes | None = None,
    as_of: str | None = None,  # when the monthly summary it read was computed (local)
) -> bytes:
    pdf = _Report()
    pdf.set_title(_("Observatory: %(org)s", org=org_name))
    pdf.add_page()
    title_w = pdf.epw - _logo(pdf, logo)
    pdf.set_font(pdf.family, "B", 18)
    pdf.multi_cell(title_w, 9, pdf.safe(org_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, "B", 13)
    pdf.multi_cell(
        title_w, 7, pdf.safe(_("Observatory on social isolation")), new_x="LMARGIN", new_y="NEXT"
    )
    if logo:
        pdf.set_y(max(pdf.get_y(), pdf.t_margin + LOGO_BOX[1] + 2))
    pdf.set_font(pdf.family, "", 10)
    filters = [period_text(scope)]
    if scope.neighbourhood:
        filters.append(_("neighbourhood: %(name)s", name=scope.neighbourhood))
    if scope.service:
        only = {"visit": _("visits only"), "ride": _("rides only")}
        filters.append(only.get(scope.service) or _("activities only"))
    pdf.multi_cell(0, 5, pdf.safe(" · ".join(filters)), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        5,
        pdf.safe(
            " ".join(
                [_("Made on %(day)s.", day=made_on.isoformat()), legend()]
                + [_stale(as_of)] * bool(as_of)
            )
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for section in sections:
        pdf.ln(4)
        pdf.set_font(pdf.family, "B", 13)
        pdf.multi_cell(0, 7, pdf.safe(section.label), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(pdf.family, "", 10)
        if section.summary:
            pdf.multi_cell(0, 5, pdf.safe(section.summary), new_x="LMARGIN", new_y="NEXT")
        for ind, table in section.tables:
            pdf.ln(2)
            pdf.set_font(pdf.family, "B", 10)
            pdf.multi_cell(0, 5, pdf.safe(table.title), new_x="LMARGIN", new_y="NEXT")
            if ind.chart:
                draw_chart(pdf, table, ind.chart)
            pdf.set_font(pdf.family, "", 8)
            widths = (30, *([int(150 / len(table.columns))] * len(table.columns)))
            with pdf.table(col_widths=widths, text_align="LEFT", line_height=4.5) as grid:
                grid.row([pdf.safe(h) for h in heading(table)])
                for cells in text_rows(table):
                    grid.row([pdf.safe(c) for c in cells])
            if table.note:
                pdf.multi_cell(0, 4, pdf.safe(table.note), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
