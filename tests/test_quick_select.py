"""``core.forms.QuickSelect`` writes the same HTML as WTForms' own select widget."""

from __future__ import annotations

from wtforms import Form, SelectField

from webapp.core.forms import QuickSelect

CHOICES = [
    ("chest", "Community chest"),
    ("7", 'Anna "Nina" <Rossi> & co'),
    ("q'\"&", ""),  # no label: the value is shown
    ("9", "Èlia Çelik"),
]


def test_the_options_are_written_as_wtforms_writes_them():
    class Both(Form):
        stock = SelectField()
        quick = SelectField(widget=QuickSelect())

    def both(chosen: str) -> Both:
        form = Both(data={"stock": chosen, "quick": chosen})
        form.stock.choices = form.quick.choices = CHOICES  # as the pages set them
        return form

    for chosen in ("7", "q'\"&", "none of them"):
        form = both(chosen)
        assert str(form.quick()).replace('"quick"', '"stock"') == str(form.stock())
    assert " selected " in str(both("7").quick())


def test_an_option_with_attributes_of_its_own_goes_the_stock_way():
    class WithAttributes(Form):
        stock = SelectField()
        quick = SelectField(widget=QuickSelect())

    form = WithAttributes()
    form.stock.choices = form.quick.choices = [("1", "One", {"disabled": True})]
    assert "disabled" in str(form.quick())
    assert str(form.quick()).replace('"quick"', '"stock"') == str(form.stock())
