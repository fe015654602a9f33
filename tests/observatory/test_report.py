"""The PDF report as pypdf reads it: the organisation's name and logo, the period, one
paragraph per section, and a chart drawn (vector bars and lines in the palette) above
each charted table."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfReader

from tests.factories import PASSWORD, make_coordinator
from tests.helpers import login
from tests.observatory.town import build_town
from webapp.extensions import db
from webapp.observatory.indicators import INDICATORS
from webapp.orgs.logo import save_logo

Q1 = "start=2026-01-01&end=2026-03-31&grain=month"
BLUE = b"0.0431 0.3255 0.5804 rg"  # the first series' fill (pdfcharts.COLOURS[0])


def png(width: int = 120, height: int = 40, colour: str = "navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def _report(client, db_session, logo: bytes | None):  # type: ignore[no-untyped-def]
    town = build_town()
    if logo is not None:
        save_logo(town.org, logo)
    coordinator = make_coordinator(town.org)
    db.session.commit()
    assert login(client, coordinator.email, PASSWORD).status_code == 302
    resp = client.get(f"/observatory/report.pdf?{Q1}")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(resp.data))


def test_the_report_has_the_name_the_period_the_logo_and_a_paragraph_per_section(
    client, db_session
):
    reader = _report(client, db_session, png())
    first = reader.pages[0]
    text = "\n".join(p.extract_text() for p in reader.pages).replace("\n", " ")
    assert "Comune di Prova" in first.extract_text()
    assert "2026-01-01 to 2026-03-31" in first.extract_text()
    [image] = first.images  # the logo, at the top of the first page only
    assert image.image is not None and image.image.size == (120, 40)
    assert all(not p.images for p in reader.pages[1:])
    # One paragraph per section (its summary), each section's figures as in the page.
    for paragraph in (
        "8 people received at least one service, 7 of them for the first time",
        "8 residents were at high risk",
        "people were measured again",
    ):
        assert paragraph in text, paragraph


def test_the_report_draws_a_chart_for_each_charted_table(client, db_session):
    reader = _report(client, db_session, None)
    assert all(not p.images for p in reader.pages)  # no logo set: no image
    streams = b"".join(p.get_contents().get_data() for p in reader.pages)  # type: ignore[union-attr]
    charted = [i for i in INDICATORS.values() if i.chart]
    # Every chart sets the grey of its scale (0, half and the top) once.
    assert streams.count(b"0.7843 0.7843 0.7843 RG") >= len(charted)
    assert BLUE in streams and b" re f" in streams  # filled bars in the first colour
