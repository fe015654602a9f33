"""WTForms' ``html_params`` written with plain string formatting, the same output.

Every field a page draws (its input, its label, a select, a button) writes its attributes
through ``wtforms.widgets.html_params``. Since WTForms 3.3 (pallets-eco/wtforms#907) it
writes each attribute with ``Markup.format``, which goes through ``string.Formatter`` and
MarkupSafe's escaping formatter: about 10 µs an attribute, 60 µs for one ``<input>`` of
five, so 0.5-1 ms of a page with two small forms (a member's time bank). This one escapes
the same way and joins the same strings, in about a tenth of the time;
``tests/test_html_attributes.py`` checks that it writes what WTForms' does.

:func:`install` puts it in the places WTForms looks it up (the widgets' module, the name
the label reads, and the widget classes that hold it as an attribute), once per process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import wtforms.widgets
import wtforms.widgets.core
from markupsafe import Markup, escape
from wtforms.widgets.core import clean_key

# WTForms' own, kept for the test that compares the two.
WTFORMS_HTML_PARAMS = wtforms.widgets.core.html_params


def html_params(**kwargs: Any) -> Markup:
    """``key="value"`` pairs sorted by key, as ``wtforms.widgets.html_params`` writes
    them: ``class_`` is ``class``, ``data_x_y`` is ``data-x-y``, ``True`` is the bare
    key, ``False`` nothing; keys and values escaped, and a double quote inside a value
    that is already markup written as ``&quot;``."""
    params = []
    for key, value in sorted(kwargs.items()):
        name = escape(clean_key(key))
        if value is True:
            params.append(str(name))
        elif value is not False:
            # escape() leaves markup as it is; a quote in it would end the attribute.
            text = str(escape(value)).replace('"', "&quot;")
            params.append(f'{name}="{text}"')
    return Markup(" ".join(params))


def install(writer: Callable[..., Markup] = html_params) -> None:
    """Have WTForms' widgets and labels write their attributes with ``writer`` (this
    module's; ``benchmarks/form_drawing.py`` puts WTForms' own back to compare)."""
    wtforms.widgets.core.html_params = writer
    wtforms.widgets.html_params = writer
    for widget in vars(wtforms.widgets.core).values():
        if isinstance(widget, type) and "html_params" in vars(widget):
            widget.html_params = staticmethod(writer)  # type: ignore[attr-defined]
