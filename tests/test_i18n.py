import re

from tests.factories import PASSWORD, make_org, make_volunteer
from tests.helpers import csrf_from, login
from webapp.extensions import db


def test_language_switch_to_italian(client):
    html = client.get("/").get_data(as_text=True)
    resp = client.post(
        "/language", data={"csrf_token": csrf_from(html), "locale": "it", "next": "/login"}
    )
    assert resp.status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="it"' in page
    assert "Accedi" in page


def test_every_ui_string_has_an_italian_translation():
    from webapp.translations_cli import missing

    gaps = missing("it")
    assert gaps == [], f"{len(gaps)} untranslated strings, e.g. {gaps[:5]}"


def test_a_plural_entry_counts_only_with_every_form_filled(tmp_path):
    from webapp.translations_cli import translated_ids

    po = tmp_path / "messages.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "one visit"\nmsgid_plural "%(num)s visits"\nmsgstr[0] ""\nmsgstr[1] ""\n\n'
        'msgid "one ride"\nmsgid_plural "%(num)s rides"\nmsgstr[0] "una corsa"\n'
        'msgstr[1] "%(num)s corse"\n\n'
        'msgid "Hello"\nmsgstr "Ciao"\n\nmsgid "Bye"\nmsgstr ""\n',
        encoding="utf-8",
    )
    assert translated_ids(po, "it") == {"one ride", "Hello"}


def test_no_two_menu_entries_share_an_italian_label(client, db_session):
    """Two links with one name ("I miei dati" was both My details and My data) leave a
    reader, and a screen reader's list of links, unable to tell them apart."""
    volunteer = make_volunteer(make_org())
    db.session.commit()
    assert login(client, volunteer.user.email, PASSWORD).status_code == 302
    html = client.get("/shifts/board").get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_from(html), "locale": "it", "next": "/"})
    html = client.get("/shifts/board").get_data(as_text=True)
    nav = html[html.index('<ul class="nav">') : html.index("</nav>")]
    labels = re.findall(r'<a href="[^"]*">([^<]+)</a>', nav)
    assert "Il mio profilo" in labels and "I miei dati" in labels, labels
    assert len(labels) == len(set(labels)), labels


def test_every_catalogue_counts_plurals_by_the_same_rule():
    """Flask-Babel merges the features' catalogues into one, which counts plurals by one
    rule (two forms: one, other). A catalogue written for another rule (Babel's three
    Italian forms, the second for millions) showed its million form for every plural:
    "6 di persone trovate"."""
    from webapp.translations_cli import PLURAL_FORMS, _po_path, owners, plural_forms

    found = {
        str(owner): plural_forms(_po_path(owner, "it"))
        for owner in owners()
        if _po_path(owner, "it").exists()
    }
    assert set(found.values()) == {PLURAL_FORMS}, found


def test_an_italian_plural_reads_as_italian(client, db_session):
    from tests.factories import make_coordinator

    org = make_org()
    for i in range(6):
        make_volunteer(org, first_name=f"Anna{i}", last_name="Verdi")
    coordinator = make_coordinator(org)
    db.session.commit()
    assert login(client, coordinator.email, PASSWORD).status_code == 302
    html = client.get("/desk/find").get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_from(html), "locale": "it", "next": "/"})
    assert "6 persone trovate" in client.get("/desk/find?q=verdi").get_data(as_text=True)
    assert "1 persona trovata" in client.get("/desk/find?q=anna3&fragment=1").get_data(as_text=True)
