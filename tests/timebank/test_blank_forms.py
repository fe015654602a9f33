"""A time bank page's blank forms are drawn once (``core/forms.drawn_once``, the give-to
field kept per member); a form sent back shows what was typed, and no blank page does."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import PASSWORD
from tests.helpers import login, post_form
from tests.timebank.helpers import marco_visited_teresa, tb_town


@pytest.fixture
def town(db_session):  # type: ignore[no-untyped-def]
    return tb_town()


def test_blank_forms_are_drawn_once_and_a_refused_one_keeps_what_was_typed(client, app, town):  # type: ignore[no-untyped-def]
    """A GET's donation and token forms are drawn once (per language; the give-to field
    per member, ``timebank/kept.py``); a form sent back with an error shows what was
    typed and the error, and no one's next blank page shows either."""
    marco_visited_teresa(town, 30)  # each is in the other's "give to" list
    marco = app.test_client()
    login(marco, "marco@tb.example", PASSWORD)
    login(client, "teresa@tb.example", PASSWORD)
    vol = town["vol"].id
    blank = client.get("/timebank/").get_data(as_text=True)
    assert f'<option value="{vol}">Marco V.</option>' in blank
    assert 'id="minutes" min="1" name="minutes" required type="number" value=""' in blank
    assert marco.get("/timebank/").get_data(as_text=True).count("Teresa B.</option>") == 1
    kept = app.extensions["drawn_once"]
    assert {("timebank/_donation_fields.html", "en"), ("timebank/_token_fields.html", "en")} <= set(
        kept
    )

    refused = post_form(
        client,
        "/timebank/donate",
        {"recipient": str(vol), "minutes": "tanti", "reason": "per il caffè", "request_id": "r1"},
        page="/timebank/",
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="minutes-error"' in html
    assert f'<option selected value="{vol}">' in html and 'value="per il caffè"' in html
    refused = post_form(client, "/timebank/tokens", {"name": ""}, page="/timebank/")
    assert refused.status_code == 422 and 'id="name-error"' in refused.get_data(as_text=True)

    for page in (client.get("/timebank/"), marco.get("/timebank/")):
        html = page.get_data(as_text=True)
        assert "per il caffè" not in html and "tanti" not in html
        assert "-error" not in html and "selected value" not in html
    assert "Marco V.</option>" not in marco.get("/timebank/").get_data(as_text=True)
    with client.session_transaction() as session:
        session["locale"] = "it"
    italian = client.get("/timebank/").get_data(as_text=True)
    assert "Regala a" in italian and "Minuti" in italian and "Nome del dispositivo" in italian
    assert f'<option value="{vol}">Marco V.</option>' in italian


def test_the_coordinator_page_s_blank_forms_follow_the_day_and_a_refused_reversal_is_kept(
    client, app, town, monkeypatch
):  # type: ignore[no-untyped-def]
    """The reversal and export forms are drawn once (core/forms.drawn_once), the export's
    dates (this month to today) drawn again when the day changes; a reversal sent back
    shows what was typed and the error, and the next blank page neither."""
    from datetime import timedelta

    from webapp.timebank import views

    login(client, "coord@tb.example", PASSWORD)
    today = date.today()
    html = client.get("/timebank/coordinator").get_data(as_text=True)
    assert f'id="end" name="end" required type="date" value="{today.isoformat()}"' in html
    assert f'id="start" name="start" required type="date" value="{today.replace(day=1)}"' in html
    refused = post_form(
        client,
        "/timebank/reverse",
        {"transfer_id": "999999", "reason": "doppione", "request_id": "r1"},
        page="/timebank/coordinator",
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'value="doppione"' in html
    assert 'value="999999"' in html and 'id="transfer_id-error"' in html
    blank = client.get("/timebank/coordinator").get_data(as_text=True)
    assert "doppione" not in blank and "999999" not in blank and "-error" not in blank

    tomorrow = today + timedelta(days=1)
    monkeypatch.setattr(views, "today", lambda: tomorrow)
    html = client.get("/timebank/coordinator").get_data(as_text=True)
    assert f'id="end" name="end" required type="date" value="{tomorrow.isoformat()}"' in html
    assert f'id="start" name="start" required type="date" value="{tomorrow.replace(day=1)}"' in html
