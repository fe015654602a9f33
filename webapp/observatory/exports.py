"""CSV and XLSX of the observatory's tables, exactly as published: suppressed cells are
"x", never the number behind them.

XLSX by openpyxl: pure Python, keeps numbers as numbers (a spreadsheet can chart them),
and reads files back, so the tests open what was written.
"""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from webapp.observatory.indicators import Section
from webapp.observatory.scope import Scope
from webapp.observatory.tables import SUPPRESSED, Table


def legend() -> str:
    return _("x: withheld, it counts fewer than 5 people or would reveal such a count.")


def heading(table: Table) -> list[str]:
    return [table.dimension, *[str(c.label()) for c in table.columns]]


def text_rows(table: Table) -> list[list[str]]:
    return [[row.label, *[row.text(c) for c in table.columns]] for row in table.all_rows()]


def period_text(scope: Scope) -> str:
    return _("%(start)s to %(end)s", start=scope.start.isoformat(), end=scope.end.isoformat())


def to_csv(org_name: str, scope: Scope, tables: list[Table]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([org_name, period_text(scope)])
    writer.writerow([legend()])
    for table in tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(heading(table))
        writer.writerows(text_rows(table))
    return out.getvalue()


def to_xlsx(org_name: str, scope: Scope, sections: list[Section]) -> bytes:
    """One sheet per table; numbers as numbers, suppressed cells as "x"."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    bold = Font(bold=True)
    for section in sections:
        for _ind, table in section.tables:
            sheet = book.create_sheet(table.key[:31])
            sheet.append([table.title])
            sheet["A1"].font = bold
            sheet.append([org_name, period_text(scope)])
            sheet.append(heading(table))
            for cell in sheet[3]:
                cell.font = bold
            for row in table.all_rows():
                cells: list[str | float | int] = [row.label]
                for c in table.columns:
                    value = row.shown(c.key)
                    cells.append(
                        SUPPRESSED if c.key in row.suppressed else ("" if value is None else value)
                    )
                sheet.append(cells)
            sheet.append([])
            sheet.append([legend()])
            if table.note:
                sheet.append([table.note])
            sheet.column_dimensions["A"].width = 24
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
