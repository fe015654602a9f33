"""``core.html_attributes.html_params`` writes what WTForms' own writes, and the app's
widgets and labels use it."""

from __future__ import annotations

import wtforms.widgets
import wtforms.widgets.core
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from wtforms import Form, IntegerField, StringField, SubmitField, TextAreaField

from webapp.core.html_attributes import WTFORMS_HTML_PARAMS, html_params

KEYS = st.from_regex(r"\A(data_|aria_)?[a-z][a-z_]{0,8}_?\Z")
TEXT = st.text(alphabet=st.sampled_from(list("ab <>&\"'=é_-")) | st.characters(), max_size=12)
VALUES = st.one_of(
    st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT, TEXT.map(Markup), st.none()
)


@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_it_writes_what_wtforms_writes(attributes):
    ours, theirs = html_params(**attributes), WTFORMS_HTML_PARAMS(**attributes)
    assert ours == theirs
    assert type(ours) is type(theirs) is Markup


def test_the_cases_wtforms_documents():
    assert html_params(data_attr="user.name", aria_labeledby="name") == (
        'aria-labeledby="name" data-attr="user.name"'
    )
    assert html_params(checked=True, readonly=False, name="text1", abc="hello") == (
        'abc="hello" checked name="text1"'
    )
    assert html_params(class_="a", value=Markup('<a href="#">')) == (
        'class="a" value="<a href=&quot;#&quot;>"'
    )
    assert html_params(value='x" onclick="evil()') == 'value="x&#34; onclick=&#34;evil()"'


def test_the_app_draws_fields_with_it(app):
    # (create_app installed it.)
    assert wtforms.widgets.core.html_params is html_params
    assert wtforms.widgets.html_params is html_params
    assert wtforms.widgets.TextInput.html_params is html_params
    assert wtforms.widgets.SubmitInput.html_params is html_params

    class Sample(Form):
        name = StringField("Name <b>", render_kw={"placeholder": 'say "hi"'})
        count = IntegerField("Count")
        note = TextAreaField("Note")
        go = SubmitField("Go")

    form = Sample(data={"name": 'Anna "Nina" <Rossi>', "count": 3})
    assert str(form.name()) == (
        '<input id="name" name="name" placeholder="say &#34;hi&#34;" type="text" '
        'value="Anna &#34;Nina&#34; &lt;Rossi&gt;">'
    )
    assert str(form.name.label(class_="x")) == '<label class="x" for="name">Name &lt;b&gt;</label>'
    assert str(form.count(aria_describedby="count-hint")) == (
        '<input aria-describedby="count-hint" id="count" name="count" type="number" value="3">'
    )
    assert str(form.note()).startswith('<textarea id="note" name="note">')
    assert str(form.go(class_="button")) == (
        '<input class="button" id="go" name="go" type="submit" value="Go">'
    )
