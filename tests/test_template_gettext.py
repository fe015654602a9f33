"""The templates' gettext callables bound once per render (webapp/i18n.py): the same
text as Flask-Babel's, in the render's own language, looked up once, not at every call."""

import flask_babel
import pytest
from flask import render_template_string
from flask_babel import force_locale

# Jinja's newstyle gettext in every form a template uses: plain, %-formatted with
# escaping, a literal percent, plurals with ``num``, a context, and ``trans`` blocks.
SAMPLE = (
    "{{ _('Nothing planned.') }}|"
    "{{ _('Coming: %(names)s', names='<Ann & Bo>') }}|"
    "{{ _('100%% sure') }}|"
    "{{ ngettext('Without a volunteer in the next %(num)d days',"
    " 'Without a volunteer in the next %(num)d days', 1) }}|"
    "{{ ngettext('Without a volunteer in the next %(num)d days',"
    " 'Without a volunteer in the next %(num)d days', 3) }}|"
    "{{ pgettext('menu', 'Home') }}|"
    "{% trans %}Nothing planned.{% endtrans %}|"
    "{% trans n=2 %}{{ n }} visit{% pluralize %}{{ n }} visits{% endtrans %}"
)


@pytest.mark.parametrize("locale", ["en", "it"])
def test_the_same_text_as_flask_babels_callables(app, locale):
    with app.test_request_context("/"), force_locale(locale):
        ours = render_template_string(SAMPLE)
        # A template rendered without Flask's context takes the environment's globals:
        # Flask-Babel's own callables.
        theirs = app.jinja_env.from_string(SAMPLE).render()
    assert ours == theirs
    assert "&lt;Ann &amp; Bo&gt;" in ours
    assert "100% sure" in ours
    if locale == "it":
        assert ours.startswith("Niente in programma.|")
        assert "nei prossimi 3 giorni" in ours


def test_a_forced_locale_inside_a_request_renders_in_that_language(app):
    """An e-mail rendered in its reader's language in the middle of an English page."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string("{{ _('Nothing planned.') }}") == "Nothing planned."
        with force_locale("it"):
            assert render_template_string("{{ _('Nothing planned.') }}") == (
                "Niente in programma."
            )
        assert render_template_string("{{ _('Nothing planned.') }}") == "Nothing planned."


def test_the_translations_are_looked_up_once_per_render(app, monkeypatch):
    looked_up = []
    real = flask_babel.get_translations

    def counting():
        looked_up.append(1)
        return real()

    # Both the context processor (webapp.i18n) and Flask-Babel's own callables call
    # this module-level function.
    monkeypatch.setattr(flask_babel, "get_translations", counting)
    monkeypatch.setattr("webapp.i18n.get_translations", counting)
    with app.test_request_context("/"), force_locale("it"):
        page = render_template_string(
            "{% for i in range(50) %}{{ _('Nothing planned.') }}{% endfor %}"
        )
    assert page == "Niente in programma." * 50
    assert len(looked_up) == 1
