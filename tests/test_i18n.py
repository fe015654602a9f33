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
