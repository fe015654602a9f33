from tests.helpers import csrf_from


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
