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
