"""A blank form's hidden tags are written without building the form
(``core.forms.blank_hidden_tag``, ``BlankForm``): exactly what the form itself writes, for
every form of the app that has hidden fields, and a fresh request id each time."""

from __future__ import annotations

import re

import pytest
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from webapp.core.forms import BlankForm, blank_hidden_tag, form_or_blank

REQUEST_ID = re.compile(r"\b[0-9a-f]{32}\b")


def _forms() -> list[type[FlaskForm]]:
    """Every form class of the app (its features are imported by the app fixture)."""
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("webapp."):
            found.append(cls)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__name__}")


def test_every_form_s_hidden_tags_are_written_as_the_form_writes_them(app):  # type: ignore[no-untyped-def]
    compared = 0
    with app.test_request_context("/"):
        for cls in _forms():
            try:
                form = cls()
            except TypeError:  # a form that needs arguments: never stood for by a blank
                continue
            theirs = str(form.hidden_tag())
            ours = str(blank_hidden_tag(cls))
            assert REQUEST_ID.sub("ID", ours) == REQUEST_ID.sub("ID", theirs), cls
            compared += bool(theirs)
    assert compared > 20  # (the app's forms with a CSRF token or a hidden field)


def test_each_blank_gets_a_fresh_request_id_and_this_session_s_token(app):  # type: ignore[no-untyped-def]
    from webapp.timebank.forms import DonationForm

    with app.test_request_context("/"):
        first, second = str(blank_hidden_tag(DonationForm)), str(blank_hidden_tag(DonationForm))
        token = DonationForm().csrf_token.current_token
    assert REQUEST_ID.findall(first) != REQUEST_ID.findall(second)
    assert f'value="{token}"' in first and f'value="{token}"' in second
    assert 'name="csrf_token"' in first and 'name="request_id"' in first


class _WithNext(FlaskForm):
    """A hidden field whose default needs escaping, and one with none."""

    next = HiddenField(default='/back?a=1&b="2"')
    empty = HiddenField()
    name = StringField()


def test_a_hidden_default_is_escaped_and_none_is_empty(app):  # type: ignore[no-untyped-def]
    with app.test_request_context("/"):
        assert str(blank_hidden_tag(_WithNext)) == str(_WithNext().hidden_tag())
        assert "&amp;b=&#34;2&#34;" in str(blank_hidden_tag(_WithNext))


def test_the_blank_builds_its_form_only_when_a_field_is_asked(app):  # type: ignore[no-untyped-def]
    with app.test_request_context("/"):
        blank = form_or_blank(_WithNext)
        assert isinstance(blank, BlankForm)
        assert blank.hidden_tag() and not blank.errors and not blank.form_errors
        assert not blank.validate_on_submit() and blank._form is None
        assert blank.name.data is None and isinstance(blank._form, _WithNext)
    with app.test_request_context("/", method="POST", data={"name": "x"}):
        sent = form_or_blank(_WithNext)
        assert isinstance(sent, _WithNext) and sent.name.data == "x"


@pytest.mark.parametrize("enabled", [True, False])
def test_with_csrf_off_there_is_no_token(app, monkeypatch, enabled):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", enabled)
    with app.test_request_context("/"):
        assert ('name="csrf_token"' in blank_hidden_tag(_WithNext)) is enabled
